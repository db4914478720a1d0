// Splits a producer's MKV (a PutMedia body) into its header and its Clusters, in chunks of any
// size. Only the bytes of the header or Cluster being collected are held; producer Tags and Cues
// between Clusters are skipped.

import {
  concatBytes,
  EbmlError,
  encodeId,
  ID,
  UNKNOWN_SIZE,
  UNKNOWN_SIZE_8,
} from "../ebml/primitives.ts";
import {
  type Action,
  DESCEND,
  type ElementHandler,
  ElementScanner,
  hex,
  SKIP,
} from "../ebml/scanner.ts";
import { ClusterTally } from "../matroska/cluster-tally.ts";
import { TrackCollector } from "../matroska/track-collector.ts";
import type { SplitterEvent } from "./types.ts";

export interface SplitterOptions {
  /** Largest Cluster accepted (default 64 MiB). */
  maxClusterBytes?: number;
  /** Largest header (EBML header to first Cluster) accepted (default 1 MiB). */
  maxHeaderBytes?: number;
}

const SEGMENT_ID = encodeId(ID.Segment);
const NONE = -1;

export class MkvClusterSplitter implements ElementHandler {
  private readonly scanner: ElementScanner;
  private readonly maxClusterBytes: number;
  private readonly maxHeaderBytes: number;
  private readonly tracks = new TrackCollector(true);
  private readonly tally = new ClusterTally();
  private events: SplitterEvent[] = [];
  /** After an error or end(): further input is ignored. */
  private stopped = false;
  /** Input chunks (or their tails) from stream offset `retainedStart` on. */
  private retained: Uint8Array[] = [];
  private retainedStart = 0;
  /** Start of the header or Cluster being collected; NONE between Clusters. */
  private captureStart = NONE;
  private ebmlStart = NONE;
  private ebmlEnd = NONE;
  private segmentDataStart = NONE;
  private headerDone = true;
  private clusterStart = NONE;
  /** The current Cluster's "cluster-start" event was emitted. */
  private clusterAnnounced = false;

  constructor(options: SplitterOptions = {}) {
    this.maxClusterBytes = options.maxClusterBytes ?? 64 * 1024 * 1024;
    this.maxHeaderBytes = options.maxHeaderBytes ?? 1024 * 1024;
    const maxLeafBytes = this.maxHeaderBytes;
    const maxElementBytes = Math.max(this.maxClusterBytes, this.maxHeaderBytes);
    this.scanner = new ElementScanner(this, { maxLeafBytes, maxElementBytes, maxDepth: 16 });
  }

  /** Bytes held: the header or Cluster collected so far plus an incomplete element header. */
  get bufferedBytes(): number {
    let n = 0;
    for (const c of this.retained) n += c.length;
    return n;
  }

  /**
   * Splits a chunk. Chunks are kept by reference while the header or Cluster they belong to is
   * collected, so the caller must not reuse a chunk's memory (Node stream chunks are never reused).
   */
  push(chunk: Uint8Array): SplitterEvent[] {
    if (this.stopped || chunk.length === 0) return [];
    this.retained.push(chunk);
    this.run(() => this.scanner.push(chunk));
    this.trim();
    return this.take();
  }

  end(): SplitterEvent[] {
    if (this.stopped) return [];
    this.run(() => {
      this.scanner.end();
      if (!this.headerDone) {
        throw new EbmlError("input ended inside the MKV header", this.scanner.offset, "truncated");
      }
    });
    this.stopped = true;
    this.retained = [];
    return this.take();
  }

  // ---- ElementHandler ----

  element(id: number, size: number, start: number, headerLength: number, parent: number): Action {
    const end = size === UNKNOWN_SIZE ? start + headerLength : start + headerLength + size;
    if (id === ID.EBML) return this.beginDocument(start, end);
    if (parent === 0) {
      if (id === ID.Segment) {
        if (this.ebmlEnd === NONE || this.segmentDataStart !== NONE) {
          throw new EbmlError("Segment without an EBML header", start);
        }
        this.segmentDataStart = start + headerLength;
        return DESCEND;
      }
      if (id === ID.Void || id === ID.CRC32) return SKIP;
      throw new EbmlError(`unexpected top-level element ${hex(id)}`, start);
    }
    if (parent === ID.Segment) {
      if (id === ID.Cluster) return this.beginCluster(size, start);
      if (!this.headerDone && end - this.ebmlStart > this.maxHeaderBytes) {
        throw new EbmlError(
          `MKV header larger than ${this.maxHeaderBytes} bytes`,
          start,
          "too-large",
        );
      }
      // Info and Tracks after the first Cluster don't change the header already sent.
      if (!this.headerDone) return this.tracks.element(id, size, parent) ?? SKIP;
      return SKIP;
    }
    if (this.clusterStart !== NONE && end - this.clusterStart > this.maxClusterBytes) {
      throw new EbmlError(
        `Cluster larger than ${this.maxClusterBytes} bytes`,
        this.clusterStart,
        "too-large",
      );
    }
    return this.tally.element(id, parent) ?? this.tracks.element(id, size, parent) ?? SKIP;
  }

  leaf(id: number, bytes: Uint8Array, offset: number, length: number): void {
    if (this.tally.leaf(id, bytes, offset, length)) this.announceCluster();
    else this.tracks.leaf(id, bytes, offset, length);
  }

  block(id: number, bytes: Uint8Array, offset: number, length: number): void {
    this.announceCluster();
    this.tally.block(id, bytes, offset, length);
  }

  masterEnd(id: number, start: number, end: number, complete: boolean): void {
    if (id === ID.Cluster) {
      if (!complete) throw new EbmlError("Cluster cut off (truncated input)", start, "truncated");
      this.emitCluster(start, end);
    } else if (id === ID.Segment) {
      if (!this.headerDone) {
        if (!complete) {
          throw new EbmlError("MKV header cut off (truncated input)", start, "truncated");
        }
        this.emitHeader(end);
      }
      this.segmentDataStart = NONE;
      this.ebmlEnd = NONE;
    } else {
      this.tally.masterEnd(id);
      this.tracks.masterEnd(id, complete);
    }
  }

  // ---- internals ----

  private beginDocument(start: number, end: number): Action {
    if (end - start > this.maxHeaderBytes) {
      throw new EbmlError(
        `MKV header larger than ${this.maxHeaderBytes} bytes`,
        start,
        "too-large",
      );
    }
    this.tracks.reset();
    this.ebmlStart = start;
    this.ebmlEnd = end;
    this.segmentDataStart = NONE;
    this.headerDone = false;
    this.captureStart = start;
    return SKIP;
  }

  private beginCluster(size: number, start: number): Action {
    if (!this.headerDone) this.emitHeader(start);
    if (size !== UNKNOWN_SIZE && size > this.maxClusterBytes) {
      throw new EbmlError(
        `Cluster of ${size} bytes exceeds ${this.maxClusterBytes}`,
        start,
        "too-large",
      );
    }
    this.clusterStart = start;
    this.captureStart = start;
    this.clusterAnnounced = false;
    this.tally.reset();
    return DESCEND;
  }

  /** Emits "cluster-start" once per Cluster, as soon as its Timecode or first block is read. */
  private announceCluster(): void {
    if (this.clusterStart === NONE || this.clusterAnnounced) return;
    this.clusterAnnounced = true;
    this.events.push({ type: "cluster-start", timecode: this.tally.timecode });
  }

  private emitHeader(end: number): void {
    const bytes = concatBytes([
      this.extract(this.ebmlStart, this.ebmlEnd),
      SEGMENT_ID,
      UNKNOWN_SIZE_8,
      this.extract(this.segmentDataStart, end),
    ]);
    this.events.push({
      type: "header",
      header: {
        bytes,
        timecodeScaleNs: this.tracks.timecodeScaleNs,
        tracks: this.tracks.trackInfos(),
      },
    });
    this.headerDone = true;
    this.captureStart = NONE;
  }

  private emitCluster(start: number, end: number): void {
    this.announceCluster();
    const t = this.tally;
    this.events.push({
      type: "cluster",
      cluster: {
        bytes: this.extract(start, end),
        timecode: t.timecode,
        blockCount: t.blockCount,
        keyframeCount: t.keyframeCount,
        durationTicks: t.durationTicks((n) => this.tracks.defaultDurationTicks(n)),
      },
    });
    this.clusterStart = NONE;
    this.captureStart = NONE;
  }

  /** Copies stream bytes [start, end) out of the retained chunks. */
  private extract(start: number, end: number): Uint8Array {
    const out = new Uint8Array(end - start);
    let chunkStart = this.retainedStart;
    for (const c of this.retained) {
      const from = Math.max(start, chunkStart);
      const to = Math.min(end, chunkStart + c.length);
      if (from < to) out.set(c.subarray(from - chunkStart, to - chunkStart), from - start);
      chunkStart += c.length;
    }
    return out;
  }

  /** Drops retained bytes nothing can need any more. */
  private trim(): void {
    const keepFrom =
      this.captureStart === NONE
        ? this.scanner.offset
        : Math.min(this.captureStart, this.scanner.offset);
    while (this.retained.length > 0) {
      const first = this.retained[0] as Uint8Array;
      const firstEnd = this.retainedStart + first.length;
      if (firstEnd <= keepFrom) {
        this.retained.shift();
        this.retainedStart = firstEnd;
      } else {
        if (keepFrom > this.retainedStart) {
          // Copy so the caller's (possibly large) chunk is not kept alive for a short tail.
          this.retained[0] = first.slice(keepFrom - this.retainedStart);
          this.retainedStart = keepFrom;
        }
        break;
      }
    }
  }

  private run(scan: () => void): void {
    try {
      scan();
    } catch (e) {
      const error =
        e instanceof EbmlError
          ? e
          : new EbmlError(`unreadable MKV: ${(e as Error).message}`, this.scanner.offset);
      this.events.push({ type: "error", error, reason: error.reason });
      this.stopped = true;
      this.retained = [];
    }
  }

  private take(): SplitterEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }
}
