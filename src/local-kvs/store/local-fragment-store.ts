// The fragment store: streams and fragment metadata in memory, media through a backend
// (memory or append-only files). Appends per stream are serialized so fragment order,
// durability and listener notification happen in one sequence.

import { createHash, randomBytes } from "node:crypto";
import { compareFragmentNumbers } from "../../mkv/kvs-tags/fragment-numbers.ts";
import { FragmentNumberAllocator } from "./fragment-numbers.ts";
import type { MediaBackend } from "./media-backend.ts";
import type {
  FragmentListener,
  FragmentQuery,
  FragmentRecord,
  FragmentStore,
  HeaderRecord,
  NewFragment,
  NewStream,
  StoredTrack,
  StreamPatch,
  StreamRecord,
} from "./types.ts";

/** Streams with DataRetentionInHours 0 keep fragments only this long, for live readers. */
export const LIVE_ONLY_RETENTION_MS = 5 * 60_000;

interface StoredFragment<Location> {
  record: FragmentRecord;
  location: Location;
}

interface StreamState<Location> {
  record: StreamRecord;
  /** In fragment-number order, which is also server-timestamp order. */
  fragments: StoredFragment<Location>[];
  byNumber: Map<string, StoredFragment<Location>>;
  listeners: Set<FragmentListener>;
  endListeners: Set<() => void>;
  /** The last write (append, retention drop, header compaction); the next one starts after it. */
  tail: Promise<unknown>;
  headerIdsByHash: Map<string, string>;
  /** Per header id, how many stored fragments use it. */
  headerUses: Map<string, number>;
  /** Per header id, how many open PutMedia connections hold it (appendHeader until releaseHeader). */
  headerHolds: Map<string, number>;
  /** A header may have lost its last user since the last retention sweep. */
  headersToCheck: boolean;
}

export interface StoreOptions {
  region: string;
  accountId: string;
  /** The server clock, for retention checks on reads. */
  now: () => number;
}

function newVersion(): string {
  return randomBytes(10).toString("hex");
}

function retentionMs(stream: StreamRecord): number {
  return stream.dataRetentionInHours > 0
    ? stream.dataRetentionInHours * 3_600_000
    : LIVE_ONLY_RETENTION_MS;
}

/** Index of the first element for which `isAtOrAfter` holds (the array is sorted). */
function lowerBound<T>(items: readonly T[], isAtOrAfter: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isAtOrAfter(items[mid] as T)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export class LocalFragmentStore<Location> implements FragmentStore {
  readonly #backend: MediaBackend<Location>;
  readonly #options: StoreOptions;
  readonly #streams = new Map<string, StreamState<Location>>();
  readonly #arnByName = new Map<string, string>();
  readonly #headers = new Map<string, HeaderRecord>();
  #numbers = new FragmentNumberAllocator();
  #lastIngestionId = 0;
  /** Serializes writes of the stream list. */
  #streamsSaved: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(backend: MediaBackend<Location>, options: StoreOptions) {
    this.#backend = backend;
    this.#options = options;
  }

  static async open<L>(
    backend: MediaBackend<L>,
    options: StoreOptions,
  ): Promise<LocalFragmentStore<L>> {
    const store = new LocalFragmentStore(backend, options);
    const state = await backend.load();
    store.#numbers = new FragmentNumberAllocator(state.lastFragmentNumber);
    store.#lastIngestionId = state.lastIngestionId;
    for (const record of state.streams) store.#addStreamState(record);
    for (const header of state.headers) {
      store.#headers.set(header.headerId, header);
      store.#streams
        .get(header.streamArn)
        ?.headerIdsByHash.set(hashHeader(header.bytes), header.headerId);
    }
    for (const [arn, fragments] of state.fragments) {
      const stream = store.#streams.get(arn);
      if (!stream) continue;
      for (const stored of fragments) {
        store.#numbers.observe(stored.record.fragmentNumber);
        store.#lastIngestionId = Math.max(store.#lastIngestionId, stored.record.ingestionId);
        stream.fragments.push(stored);
        stream.byNumber.set(stored.record.fragmentNumber, stored);
        countUp(stream.headerUses, stored.record.headerId);
      }
    }
    return store;
  }

  get kind(): "memory" | "disk" {
    return this.#backend.kind;
  }

  #addStreamState(record: StreamRecord): StreamState<Location> {
    const state: StreamState<Location> = {
      record,
      fragments: [],
      byNumber: new Map(),
      listeners: new Set(),
      endListeners: new Set(),
      tail: Promise.resolve(),
      headerIdsByHash: new Map(),
      headerUses: new Map(),
      headerHolds: new Map(),
      // Headers read back on start may have no fragment left: the first sweep looks.
      headersToCheck: true,
    };
    this.#streams.set(record.streamArn, state);
    this.#arnByName.set(record.streamName, record.streamArn);
    return state;
  }

  #state(streamArn: string): StreamState<Location> {
    const state = this.#streams.get(streamArn);
    if (!state) throw new StreamGoneError(streamArn);
    return state;
  }

  #saveStreams(): Promise<void> {
    const run = this.#streamsSaved.then(() =>
      this.#backend.saveStreams(this.listStreams(), {
        lastFragmentNumber: this.#numbers.last,
        lastIngestionId: this.#lastIngestionId,
      }),
    );
    this.#streamsSaved = run.catch(() => {});
    return run;
  }

  // ---- streams ----

  getStreamByName(streamName: string): StreamRecord | undefined {
    const arn = this.#arnByName.get(streamName);
    return arn ? this.#streams.get(arn)?.record : undefined;
  }

  getStreamByArn(streamArn: string): StreamRecord | undefined {
    return this.#streams.get(streamArn)?.record;
  }

  listStreams(): StreamRecord[] {
    return [...this.#streams.values()]
      .map((s) => s.record)
      .sort((a, b) => (a.streamName < b.streamName ? -1 : a.streamName > b.streamName ? 1 : 0));
  }

  async createStream(input: NewStream, nowMs: number): Promise<StreamRecord> {
    if (this.#arnByName.has(input.streamName)) {
      throw new Error(`stream ${input.streamName} exists`);
    }
    const { region, accountId } = this.#options;
    const record: StreamRecord = {
      streamName: input.streamName,
      streamArn: `arn:aws:kinesisvideo:${region}:${accountId}:stream/${input.streamName}/${nowMs}`,
      ...(input.deviceName !== undefined ? { deviceName: input.deviceName } : {}),
      ...(input.mediaType !== undefined ? { mediaType: input.mediaType } : {}),
      kmsKeyId: input.kmsKeyId ?? `arn:aws:kms:${region}:${accountId}:alias/aws/kinesisvideo`,
      version: newVersion(),
      status: "ACTIVE",
      creationTimeMs: nowMs,
      dataRetentionInHours: input.dataRetentionInHours,
      tags: input.tags ?? {},
    };
    this.#addStreamState(record);
    await this.#saveStreams();
    return record;
  }

  async updateStream(streamArn: string, patch: StreamPatch): Promise<StreamRecord> {
    const state = this.#state(streamArn);
    state.record = { ...state.record, ...patch, version: newVersion() };
    await this.#saveStreams();
    return state.record;
  }

  async deleteStream(streamArn: string): Promise<void> {
    const state = this.#state(streamArn);
    this.#streams.delete(streamArn);
    this.#arnByName.delete(state.record.streamName);
    for (const header of [...this.#headers.values()]) {
      if (header.streamArn === streamArn) this.#headers.delete(header.headerId);
    }
    for (const end of state.endListeners) end();
    state.listeners.clear();
    state.endListeners.clear();
    await this.#saveStreams();
    // Appends in flight finish (or fail) before the files go.
    await state.tail.catch(() => {});
    await this.#backend.deleteStream(state.record);
  }

  // ---- ingest ----

  newIngestionId(): number {
    this.#lastIngestionId = Math.max(this.#lastIngestionId + 1, Date.now());
    return this.#lastIngestionId;
  }

  async appendHeader(
    streamArn: string,
    headerBytes: Uint8Array,
    tracks: StoredTrack[],
    timecodeScaleNs: number,
  ): Promise<string> {
    const state = this.#state(streamArn);
    const hash = hashHeader(headerBytes);
    const known = state.headerIdsByHash.get(hash);
    if (known) {
      countUp(state.headerHolds, known);
      return known;
    }
    const headerId = createHash("sha256").update(streamArn).update(hash).digest("hex").slice(0, 32);
    const header: HeaderRecord = {
      headerId,
      streamArn,
      bytes: Uint8Array.from(headerBytes),
      tracks,
      timecodeScaleNs,
    };
    state.headerIdsByHash.set(hash, headerId);
    this.#headers.set(headerId, header);
    countUp(state.headerHolds, headerId);
    const write = state.tail.then(() => this.#backend.appendHeader(state.record, header));
    state.tail = write.catch(() => {});
    try {
      await write;
    } catch (error) {
      state.headerIdsByHash.delete(hash);
      this.#headers.delete(headerId);
      state.headerHolds.delete(headerId);
      throw error;
    }
    return headerId;
  }

  releaseHeader(headerId: string): void {
    const streamArn = this.#headers.get(headerId)?.streamArn;
    const state = streamArn === undefined ? undefined : this.#streams.get(streamArn);
    if (state?.headerHolds.has(headerId) && countDown(state.headerHolds, headerId)) {
      state.headersToCheck = true;
    }
  }

  appendFragment(streamArn: string, fragment: NewFragment, nowMs: number): Promise<FragmentRecord> {
    const state = this.#streams.get(streamArn);
    if (!state) return Promise.reject(new StreamGoneError(streamArn));
    if (this.#closed) return Promise.reject(new Error("store is closed"));
    const write = state.tail.then(async () => {
      if (this.#streams.get(streamArn) !== state) throw new StreamGoneError(streamArn);
      const previous = state.fragments.at(-1)?.record;
      const record: FragmentRecord = {
        fragmentNumber: this.#numbers.next(nowMs),
        streamArn,
        headerId: fragment.headerId,
        // Arrival order is fragment order: keep server timestamps strictly increasing.
        serverTimestampMs: Math.max(
          fragment.serverTimestampMs,
          (previous?.serverTimestampMs ?? Number.NEGATIVE_INFINITY) + 1,
        ),
        producerTimestampMs: fragment.producerTimestampMs,
        durationMs: fragment.durationMs,
        sizeBytes: fragment.clusterBytes.length,
        clusterTimecode: fragment.clusterTimecode,
        blockCount: fragment.blockCount,
        keyframeCount: fragment.keyframeCount,
        ingestionId: fragment.ingestionId,
      };
      const location = await this.#backend.appendFragment(
        state.record,
        record,
        fragment.clusterBytes,
      );
      if (this.#streams.get(streamArn) !== state) throw new StreamGoneError(streamArn);
      const stored = { record, location };
      state.fragments.push(stored);
      state.byNumber.set(record.fragmentNumber, stored);
      countUp(state.headerUses, record.headerId);
      for (const listener of state.listeners) listener(record);
      return record;
    });
    state.tail = write.catch(() => {});
    return write;
  }

  // ---- reads ----

  /** Index of the oldest fragment still within the stream's retention. */
  #firstRetained(state: StreamState<Location>, nowMs: number): number {
    const cutoff = nowMs - retentionMs(state.record);
    return lowerBound(state.fragments, (f) => f.record.serverTimestampMs >= cutoff);
  }

  #retained(state: StreamState<Location>): StoredFragment<Location>[] {
    return state.fragments.slice(this.#firstRetained(state, this.#options.now()));
  }

  listFragments(streamArn: string, query?: FragmentQuery): FragmentRecord[] {
    const state = this.#streams.get(streamArn);
    if (!state) return [];
    if (!query) return this.#retained(state).map((f) => f.record);
    const first = this.#firstRetained(state, this.#options.now());
    if (query.by === "server") {
      const from = Math.max(
        first,
        lowerBound(state.fragments, (f) => f.record.serverTimestampMs >= query.fromMs),
      );
      const to = lowerBound(state.fragments, (f) => f.record.serverTimestampMs > query.toMs);
      return state.fragments.slice(from, Math.max(from, to)).map((f) => f.record);
    }
    const matching: FragmentRecord[] = [];
    for (let i = first; i < state.fragments.length; i++) {
      const record = (state.fragments[i] as StoredFragment<Location>).record;
      if (record.producerTimestampMs >= query.fromMs && record.producerTimestampMs <= query.toMs) {
        matching.push(record);
      }
    }
    return matching.sort(
      (a, b) =>
        a.producerTimestampMs - b.producerTimestampMs ||
        compareFragmentNumbers(a.fragmentNumber, b.fragmentNumber),
    );
  }

  fragmentsAfter(streamArn: string, fragmentNumber: string, limit?: number): FragmentRecord[] {
    const state = this.#streams.get(streamArn);
    if (!state) return [];
    const first = this.#firstRetained(state, this.#options.now());
    const from = Math.max(
      first,
      lowerBound(
        state.fragments,
        (f) => compareFragmentNumbers(f.record.fragmentNumber, fragmentNumber) > 0,
      ),
    );
    const to = limit === undefined ? state.fragments.length : from + limit;
    return state.fragments.slice(from, to).map((f) => f.record);
  }

  getFragment(streamArn: string, fragmentNumber: string): FragmentRecord | undefined {
    const state = this.#streams.get(streamArn);
    const stored = state?.byNumber.get(fragmentNumber);
    if (!state || !stored) return undefined;
    const cutoff = this.#options.now() - retentionMs(state.record);
    return stored.record.serverTimestampMs >= cutoff ? stored.record : undefined;
  }

  latestFragment(streamArn: string): FragmentRecord | undefined {
    const state = this.#streams.get(streamArn);
    if (!state) return undefined;
    const last = state.fragments.at(-1);
    return last && this.#firstRetained(state, this.#options.now()) < state.fragments.length
      ? last.record
      : undefined;
  }

  async readCluster(fragment: FragmentRecord): Promise<Uint8Array> {
    const state = this.#streams.get(fragment.streamArn);
    const stored = state?.byNumber.get(fragment.fragmentNumber);
    if (!state || !stored) throw new FragmentGoneError(fragment.fragmentNumber);
    try {
      return await this.#backend.readCluster(fragment.streamArn, stored.location);
    } catch (error) {
      // Retention or DeleteStream removed its file while it was being read.
      if (state.byNumber.get(fragment.fragmentNumber) !== stored) {
        throw new FragmentGoneError(fragment.fragmentNumber);
      }
      throw error;
    }
  }

  async readHeader(headerId: string): Promise<HeaderRecord> {
    const header = this.#headers.get(headerId);
    if (!header) throw new HeaderGoneError(headerId);
    return header;
  }

  onFragment(
    streamArn: string,
    listener: FragmentListener,
    onStreamDeleted?: () => void,
  ): () => void {
    const state = this.#streams.get(streamArn);
    if (!state) {
      onStreamDeleted?.();
      return () => {};
    }
    state.listeners.add(listener);
    if (onStreamDeleted) state.endListeners.add(onStreamDeleted);
    return () => {
      state.listeners.delete(listener);
      if (onStreamDeleted) state.endListeners.delete(onStreamDeleted);
    };
  }

  // ---- housekeeping ----

  async enforceRetention(nowMs: number): Promise<number> {
    let dropped = 0;
    let saved = false;
    for (const state of [...this.#streams.values()]) {
      if (this.#firstRetained(state, nowMs) === 0 && !state.headersToCheck) continue;
      if (!saved) {
        // The counters must outlive the files that held the newest numbers.
        await this.#saveStreams();
        saved = true;
      }
      // In the append chain: no append can pick a segment that the drop is deleting.
      const sweep = state.tail.then(() => this.#sweepStream(state, nowMs));
      state.tail = sweep.catch(() => {});
      dropped += await sweep;
    }
    return dropped;
  }

  /** Drops a stream's expired fragments and the headers nothing uses any more (between appends). */
  async #sweepStream(state: StreamState<Location>, nowMs: number): Promise<number> {
    if (this.#streams.get(state.record.streamArn) !== state) return 0;
    const expired = state.fragments.splice(0, this.#firstRetained(state, nowMs));
    for (const { record } of expired) {
      state.byNumber.delete(record.fragmentNumber);
      if (countDown(state.headerUses, record.headerId)) state.headersToCheck = true;
    }
    if (expired.length > 0) {
      await this.#backend.dropMediaBefore(state.record, state.fragments[0]?.location);
    }
    if (state.headersToCheck) await this.#forgetUnusedHeaders(state);
    return expired.length;
  }

  async #forgetUnusedHeaders(state: StreamState<Location>): Promise<void> {
    state.headersToCheck = false;
    let forgot = false;
    for (const [hash, headerId] of [...state.headerIdsByHash]) {
      if (state.headerUses.has(headerId) || state.headerHolds.has(headerId)) continue;
      state.headerIdsByHash.delete(hash);
      this.#headers.delete(headerId);
      forgot = true;
    }
    if (!forgot) return;
    const kept = [...state.headerIdsByHash.values()]
      .map((headerId) => this.#headers.get(headerId))
      .filter((header): header is HeaderRecord => header !== undefined);
    await this.#backend.rewriteHeaders(state.record, kept);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#streams.values()].map((s) => s.tail.catch(() => {})));
    await this.#streamsSaved.catch(() => {});
    await this.#backend.close();
  }
}

function countUp(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Decrements; returns true when the count reached zero (and the key is gone). */
function countDown(counts: Map<string, number>, key: string): boolean {
  const left = (counts.get(key) ?? 0) - 1;
  if (left > 0) {
    counts.set(key, left);
    return false;
  }
  counts.delete(key);
  return true;
}

function hashHeader(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The stream was deleted while a fragment was being appended. */
export class StreamGoneError extends Error {
  constructor(streamArn: string) {
    super(`stream ${streamArn} was deleted`);
    this.name = "StreamGoneError";
  }
}

/** No stored fragment uses the header any more (they expired or the stream was deleted). */
export class HeaderGoneError extends Error {
  constructor(headerId: string) {
    super(`header ${headerId} is no longer stored`);
    this.name = "HeaderGoneError";
  }
}

/** The fragment expired or its stream was deleted before it could be read. */
export class FragmentGoneError extends Error {
  constructor(fragmentNumber: string) {
    super(`fragment ${fragmentNumber} is no longer stored`);
    this.name = "FragmentGoneError";
  }
}

/** Whether a read failed because retention or DeleteStream removed the media meanwhile. */
export function isStoredMediaGone(error: unknown): boolean {
  return error instanceof FragmentGoneError || error instanceof HeaderGoneError;
}
