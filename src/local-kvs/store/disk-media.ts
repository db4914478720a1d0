// Durable media: per stream an append-only headers.log and numbered media segments holding
// fragment records (metadata + Cluster bytes). Every append is fsynced before it resolves, so
// a PERSISTED ack survives kill -9; the index is rebuilt on start by scanning the records.
//
//   DIR/state.json                       streams and counters (replaced atomically)
//   DIR/streams/<key>/headers.log        producer headers
//   DIR/streams/<key>/media-NNNNNNNN.log fragments; a new segment past SEGMENT_BYTES

import { type FileHandle, mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { Counters, MediaBackend, RecoveredState } from "./media-backend.ts";
import {
  encodeRecord,
  encodeRecordHead,
  RecordKind,
  readPayload,
  scanRecords,
} from "./record-log.ts";
import type { FragmentRecord, HeaderRecord, StoredTrack, StreamRecord } from "./types.ts";

export interface DiskLocation {
  segment: number;
  offset: number;
  length: number;
}

interface StateFile {
  version: 1;
  streams: StreamRecord[];
  lastFragmentNumber?: string;
  lastIngestionId: number;
}

interface HeaderMeta {
  headerId: string;
  streamArn: string;
  timecodeScaleNs: number;
  tracks: Array<Omit<StoredTrack, "codecPrivate"> & { codecPrivate?: string }>;
}

interface ActiveSegment {
  segment: number;
  file: FileHandle;
  size: number;
}

/** Segments roll over past this size, so retention can delete whole files. */
const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
/** Read handles kept open at most (oldest closed first). */
const MAX_READ_HANDLES = 64;

const HEADERS_LOG = "headers.log";

const segmentName = (segment: number) => `media-${String(segment).padStart(8, "0")}.log`;

function streamKey(stream: StreamRecord): string {
  // Names may be "." or ".."; the prefix and creation time keep keys safe and unique.
  return `s-${stream.streamName}-${stream.creationTimeMs}`;
}

function encodeHeader(header: HeaderRecord): Buffer {
  const meta: HeaderMeta = {
    headerId: header.headerId,
    streamArn: header.streamArn,
    timecodeScaleNs: header.timecodeScaleNs,
    tracks: header.tracks.map(({ codecPrivate, ...track }) => ({
      ...track,
      ...(codecPrivate ? { codecPrivate: Buffer.from(codecPrivate).toString("base64") } : {}),
    })),
  };
  return encodeRecord(RecordKind.Header, meta, header.bytes);
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class DiskMedia implements MediaBackend<DiskLocation> {
  readonly kind = "disk" as const;
  readonly #dir: string;
  readonly #segmentBytes: number;
  readonly #active = new Map<string, ActiveSegment>();
  readonly #headerLogs = new Map<string, FileHandle>();
  /** Read handles by file path, in least-recently-used order. */
  readonly #readers = new Map<string, Promise<FileHandle>>();
  /** Segment numbers present per stream key. */
  readonly #segments = new Map<string, number[]>();
  readonly #arnToKey = new Map<string, string>();

  constructor(dir: string, options: { segmentBytes?: number } = {}) {
    this.#dir = dir;
    this.#segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  }

  #streamDir(key: string): string {
    return path.join(this.#dir, "streams", key);
  }

  #keyOf(streamArn: string): string {
    const key = this.#arnToKey.get(streamArn);
    if (!key) throw new Error(`no storage for stream ${streamArn}`);
    return key;
  }

  async load(): Promise<RecoveredState<DiskLocation>> {
    await mkdir(path.join(this.#dir, "streams"), { recursive: true });
    let state: StateFile = { version: 1, streams: [], lastIngestionId: 0 };
    try {
      state = JSON.parse(await readFile(path.join(this.#dir, "state.json"), "utf8")) as StateFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const recovered: RecoveredState<DiskLocation> = {
      streams: state.streams,
      headers: [],
      fragments: new Map(),
      lastIngestionId: state.lastIngestionId,
      ...(state.lastFragmentNumber !== undefined
        ? { lastFragmentNumber: state.lastFragmentNumber }
        : {}),
    };
    const keys = new Set<string>();
    for (const stream of state.streams) {
      const key = streamKey(stream);
      keys.add(key);
      this.#arnToKey.set(stream.streamArn, key);
      await mkdir(this.#streamDir(key), { recursive: true });
      recovered.headers.push(...(await this.#loadHeaders(key)));
      recovered.fragments.set(stream.streamArn, await this.#loadFragments(key));
    }
    // Directories of streams that are gone (deleted before their files were removed).
    for (const entry of await readdir(path.join(this.#dir, "streams"))) {
      if (!keys.has(entry)) await rm(this.#streamDir(entry), { recursive: true, force: true });
    }
    return recovered;
  }

  async #loadHeaders(key: string): Promise<HeaderRecord[]> {
    const log = path.join(this.#streamDir(key), HEADERS_LOG);
    // A compaction that did not reach its rename left the old log whole.
    await rm(`${log}.tmp`, { force: true });
    const file = await open(log, "a+");
    const { records, validEnd } = await scanRecords(file);
    await file.truncate(validEnd);
    const headers: HeaderRecord[] = [];
    for (const record of records) {
      if (record.kind !== RecordKind.Header) continue;
      const meta = record.meta as HeaderMeta;
      headers.push({
        headerId: meta.headerId,
        streamArn: meta.streamArn,
        timecodeScaleNs: meta.timecodeScaleNs,
        tracks: meta.tracks.map(({ codecPrivate, ...track }) => ({
          ...track,
          ...(codecPrivate !== undefined
            ? { codecPrivate: Uint8Array.from(Buffer.from(codecPrivate, "base64")) }
            : {}),
        })),
        bytes: await readPayload(file, record.payloadOffset, record.payloadLength),
      });
    }
    this.#headerLogs.set(key, file);
    return headers;
  }

  async #loadFragments(
    key: string,
  ): Promise<Array<{ record: FragmentRecord; location: DiskLocation }>> {
    const segments = (await readdir(this.#streamDir(key)))
      .map((name) => /^media-(\d{8})\.log$/.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    this.#segments.set(key, segments);
    const fragments: Array<{ record: FragmentRecord; location: DiskLocation }> = [];
    for (const segment of segments) {
      const file = await open(path.join(this.#streamDir(key), segmentName(segment)), "r+");
      try {
        const { records, validEnd } = await scanRecords(file);
        await file.truncate(validEnd);
        for (const record of records) {
          if (record.kind !== RecordKind.Fragment) continue;
          fragments.push({
            record: record.meta as FragmentRecord,
            location: { segment, offset: record.payloadOffset, length: record.payloadLength },
          });
        }
      } finally {
        await file.close();
      }
    }
    return fragments;
  }

  async saveStreams(streams: StreamRecord[], counters: Counters): Promise<void> {
    for (const stream of streams) {
      if (!this.#arnToKey.has(stream.streamArn)) {
        const key = streamKey(stream);
        this.#arnToKey.set(stream.streamArn, key);
        this.#segments.set(key, []);
        await mkdir(this.#streamDir(key), { recursive: true });
      }
    }
    const state: StateFile = { version: 1, streams, ...counters };
    const target = path.join(this.#dir, "state.json");
    const temp = `${target}.tmp`;
    const file = await open(temp, "w");
    try {
      await file.writeFile(JSON.stringify(state));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, target);
    await fsyncDirectory(this.#dir);
  }

  async appendHeader(stream: StreamRecord, header: HeaderRecord): Promise<void> {
    const key = this.#keyOf(stream.streamArn);
    let file = this.#headerLogs.get(key);
    if (!file) {
      file = await open(path.join(this.#streamDir(key), HEADERS_LOG), "a+");
      this.#headerLogs.set(key, file);
    }
    await file.write(encodeHeader(header));
    await file.sync();
  }

  async rewriteHeaders(stream: StreamRecord, headers: readonly HeaderRecord[]): Promise<void> {
    const key = this.#keyOf(stream.streamArn);
    const dir = this.#streamDir(key);
    const target = path.join(dir, HEADERS_LOG);
    const temp = `${target}.tmp`;
    const file = await open(temp, "w");
    try {
      for (const header of headers) await file.write(encodeHeader(header));
      await file.sync();
    } finally {
      await file.close();
    }
    // The next append reopens the log: the old handle would write to the replaced file.
    await this.#headerLogs.get(key)?.close();
    this.#headerLogs.delete(key);
    await rename(temp, target);
    await fsyncDirectory(dir);
  }

  async #activeSegment(key: string, incoming: number): Promise<ActiveSegment> {
    const current = this.#active.get(key);
    if (current && (current.size === 0 || current.size + incoming <= this.#segmentBytes)) {
      return current;
    }
    if (current) {
      await current.file.close();
      this.#active.delete(key);
    }
    const segments = this.#segments.get(key) ?? [];
    const segment = (segments.at(-1) ?? 0) + 1;
    const file = await open(path.join(this.#streamDir(key), segmentName(segment)), "wx");
    await fsyncDirectory(this.#streamDir(key));
    segments.push(segment);
    this.#segments.set(key, segments);
    const active = { segment, file, size: 0 };
    this.#active.set(key, active);
    return active;
  }

  async appendFragment(
    stream: StreamRecord,
    record: FragmentRecord,
    clusterBytes: Uint8Array,
  ): Promise<DiskLocation> {
    const key = this.#keyOf(stream.streamArn);
    const head = encodeRecordHead(RecordKind.Fragment, record, clusterBytes);
    const length = head.length + clusterBytes.length;
    const active = await this.#activeSegment(key, length);
    const start = active.size;
    // Written as two buffers: the Cluster is not copied into one record buffer.
    let written = 0;
    while (written < length) {
      const parts =
        written < head.length
          ? [head.subarray(written), clusterBytes]
          : [clusterBytes.subarray(written - head.length)];
      const { bytesWritten } = await active.file.writev(parts, start + written);
      if (bytesWritten <= 0) throw new Error("fragment write made no progress");
      written += bytesWritten;
    }
    await active.file.datasync();
    active.size += length;
    return {
      segment: active.segment,
      offset: start + head.length,
      length: clusterBytes.length,
    };
  }

  async #reader(filePath: string): Promise<FileHandle> {
    const cached = this.#readers.get(filePath);
    if (cached) {
      // Re-insert to mark it most recently used.
      this.#readers.delete(filePath);
      this.#readers.set(filePath, cached);
      return cached;
    }
    const opening = open(filePath, "r");
    this.#readers.set(filePath, opening);
    opening.catch(() => this.#readers.delete(filePath));
    while (this.#readers.size > MAX_READ_HANDLES) {
      const [oldestPath, oldest] = this.#readers.entries().next().value as [
        string,
        Promise<FileHandle>,
      ];
      this.#readers.delete(oldestPath);
      oldest.then((h) => h.close()).catch(() => {});
    }
    return opening;
  }

  async readCluster(streamArn: string, location: DiskLocation): Promise<Uint8Array> {
    const filePath = path.join(
      this.#streamDir(this.#keyOf(streamArn)),
      segmentName(location.segment),
    );
    return readPayload(await this.#reader(filePath), location.offset, location.length);
  }

  async #closeReadersUnder(dir: string): Promise<void> {
    for (const [filePath, handle] of [...this.#readers]) {
      if (filePath.startsWith(dir + path.sep)) {
        this.#readers.delete(filePath);
        await handle.then((h) => h.close()).catch(() => {});
      }
    }
  }

  async dropMediaBefore(stream: StreamRecord, oldestKept: DiskLocation | undefined): Promise<void> {
    const key = this.#keyOf(stream.streamArn);
    const segments = this.#segments.get(key) ?? [];
    const keepFrom = oldestKept?.segment ?? Number.POSITIVE_INFINITY;
    const active = this.#active.get(key);
    const doomed = segments.filter((s) => s < keepFrom);
    if (doomed.length === 0) return;
    if (active && doomed.includes(active.segment)) {
      // Every fragment in it expired and no append is running (see MediaBackend): retire it, so
      // the next append starts a new segment instead of writing into a file about to go.
      this.#active.delete(key);
      await active.file.close();
    }
    for (const segment of doomed) {
      const filePath = path.join(this.#streamDir(key), segmentName(segment));
      const reader = this.#readers.get(filePath);
      this.#readers.delete(filePath);
      await reader?.then((h) => h.close()).catch(() => {});
      await rm(filePath, { force: true });
    }
    this.#segments.set(
      key,
      segments.filter((s) => s >= keepFrom),
    );
  }

  async deleteStream(stream: StreamRecord): Promise<void> {
    const key = this.#arnToKey.get(stream.streamArn);
    if (!key) return;
    this.#arnToKey.delete(stream.streamArn);
    await this.#active.get(key)?.file.close();
    this.#active.delete(key);
    await this.#headerLogs.get(key)?.close();
    this.#headerLogs.delete(key);
    this.#segments.delete(key);
    await this.#closeReadersUnder(this.#streamDir(key));
    await rm(this.#streamDir(key), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    for (const active of this.#active.values()) await active.file.close().catch(() => {});
    this.#active.clear();
    for (const file of this.#headerLogs.values()) await file.close().catch(() => {});
    this.#headerLogs.clear();
    for (const reader of this.#readers.values()) {
      await reader.then((h) => h.close()).catch(() => {});
    }
    this.#readers.clear();
  }
}
