// Where a store keeps its bytes: in memory (tests) or in append-only files (durable mode).
// The store above it owns the index, numbering, listeners and retention.

import type { FragmentRecord, HeaderRecord, StreamRecord } from "./types.ts";

/** Everything a backend recovers on start. */
export interface RecoveredState<Location> {
  streams: StreamRecord[];
  headers: HeaderRecord[];
  /** Per stream ARN, fragments in fragment-number order. */
  fragments: Map<string, Array<{ record: FragmentRecord; location: Location }>>;
  lastFragmentNumber?: string;
  lastIngestionId: number;
}

export interface Counters {
  lastFragmentNumber: string;
  lastIngestionId: number;
}

export interface MediaBackend<Location> {
  readonly kind: "memory" | "disk";
  load(): Promise<RecoveredState<Location>>;
  /** Durably replaces the stream list (and the counters that must survive deleted data). */
  saveStreams(streams: StreamRecord[], counters: Counters): Promise<void>;
  appendHeader(stream: StreamRecord, header: HeaderRecord): Promise<void>;
  /** Durably appends one fragment; resolves with where its Cluster bytes are. */
  appendFragment(
    stream: StreamRecord,
    record: FragmentRecord,
    clusterBytes: Uint8Array,
  ): Promise<Location>;
  readCluster(streamArn: string, location: Location): Promise<Uint8Array>;
  /**
   * Frees the media of fragments older than `oldestKept` (the whole stream's when undefined).
   * Never runs beside an append of the same stream: the store calls it in its append chain.
   */
  dropMediaBefore(stream: StreamRecord, oldestKept: Location | undefined): Promise<void>;
  /** Durably replaces the stream's stored headers with `headers` (compaction; in the append chain). */
  rewriteHeaders(stream: StreamRecord, headers: readonly HeaderRecord[]): Promise<void>;
  deleteStream(stream: StreamRecord): Promise<void>;
  close(): Promise<void>;
}
