// The fragment store contract shared by the operations (PutMedia, ListFragments, GetMedia,
// GetClip, GetMediaForFragmentList). Stream and fragment metadata live in memory (it is small);
// media bytes live on disk in disk mode and are read back per fragment.

import type { TrackInfo } from "../../mkv/matroska/types.ts";

export type StreamStatus = "CREATING" | "ACTIVE" | "UPDATING" | "DELETING";

export interface StreamRecord {
  streamName: string;
  streamArn: string;
  deviceName?: string;
  mediaType?: string;
  kmsKeyId: string;
  /** Changes on every update; DeleteStream/UpdateDataRetention check it (CurrentVersion). */
  version: string;
  status: StreamStatus;
  creationTimeMs: number;
  dataRetentionInHours: number;
  tags: Record<string, string>;
}

export interface NewStream {
  streamName: string;
  deviceName?: string;
  mediaType?: string;
  kmsKeyId?: string;
  dataRetentionInHours: number;
  tags?: Record<string, string>;
}

export type StreamPatch = Partial<
  Pick<StreamRecord, "deviceName" | "mediaType" | "dataRetentionInHours" | "tags">
>;

/** A track as declared in the producer's Tracks element. */
export interface StoredTrack {
  trackNumber: number;
  /** Matroska TrackType: 1 video, 2 audio, 0 other/unknown. */
  trackType: number;
  codecId: string;
  codecPrivate?: Uint8Array;
  pixelWidth?: number;
  pixelHeight?: number;
  samplingFrequency?: number;
  channels?: number;
  defaultDurationNs?: number;
}

/** The splitter's view of a track → the stored shape. */
export function storedTrack(track: TrackInfo): StoredTrack {
  return {
    trackNumber: track.number,
    trackType: track.type === "video" ? 1 : track.type === "audio" ? 2 : 0,
    codecId: track.codecId,
    ...(track.codecPrivate !== undefined ? { codecPrivate: track.codecPrivate } : {}),
    ...(track.width !== undefined ? { pixelWidth: track.width } : {}),
    ...(track.height !== undefined ? { pixelHeight: track.height } : {}),
    ...(track.samplingFrequency !== undefined
      ? { samplingFrequency: track.samplingFrequency }
      : {}),
    ...(track.channels !== undefined ? { channels: track.channels } : {}),
    ...(track.defaultDurationNs !== undefined
      ? { defaultDurationNs: track.defaultDurationNs }
      : {}),
  };
}

/** The producer's MKV header (EBML header + Segment start + Info, Tracks, producer Tags). */
export interface HeaderRecord {
  headerId: string;
  streamArn: string;
  /**
   * The EBML header, a Segment start with the 8-byte unknown size, and the producer's Segment
   * children before the first Cluster: what GetMedia sends before each fragment's tags.
   */
  bytes: Uint8Array;
  tracks: StoredTrack[];
  timecodeScaleNs: number;
}

export interface FragmentRecord {
  /** 47 decimal digits, strictly increasing across the whole server (also across restarts). */
  fragmentNumber: string;
  streamArn: string;
  headerId: string;
  serverTimestampMs: number;
  producerTimestampMs: number;
  durationMs: number;
  /** Bytes of the stored Cluster. */
  sizeBytes: number;
  /** The Cluster's Timecode as sent by the producer (in TimecodeScale units). */
  clusterTimecode: number;
  blockCount: number;
  keyframeCount: number;
  /** One per PutMedia connection, increasing in order of connection start (GetClip keeps the oldest on duplicates). */
  ingestionId: number;
}

export interface NewFragment {
  headerId: string;
  clusterBytes: Uint8Array;
  producerTimestampMs: number;
  serverTimestampMs: number;
  durationMs: number;
  clusterTimecode: number;
  blockCount: number;
  keyframeCount: number;
  ingestionId: number;
}

export type TimestampKind = "server" | "producer";

export interface FragmentQuery {
  by: TimestampKind;
  /** Inclusive bounds on the fragment's start timestamp of kind `by`. */
  fromMs: number;
  toMs: number;
}

export type FragmentListener = (fragment: FragmentRecord) => void;

export interface FragmentStore {
  readonly kind: "memory" | "disk";

  // ---- streams (synchronous lookups: metadata is in memory) ----
  getStreamByName(streamName: string): StreamRecord | undefined;
  getStreamByArn(streamArn: string): StreamRecord | undefined;
  /** All streams sorted by name. */
  listStreams(): StreamRecord[];
  /** Inserts synchronously (so a name check just before cannot race), resolves once durable. */
  createStream(input: NewStream, nowMs: number): Promise<StreamRecord>;
  /** Applies `patch` and bumps the version. */
  updateStream(streamArn: string, patch: StreamPatch): Promise<StreamRecord>;
  /** Removes the stream, its fragments and media. Open tails get no more fragments. */
  deleteStream(streamArn: string): Promise<void>;

  // ---- ingest ----
  /** A new id for a PutMedia connection (increasing, persisted). */
  newIngestionId(): number;
  /**
   * Stores a producer header; identical headers of one stream share one id. The caller holds the
   * header until `releaseHeader`, so retention keeps it while its connection may still use it.
   */
  appendHeader(
    streamArn: string,
    headerBytes: Uint8Array,
    tracks: StoredTrack[],
    timecodeScaleNs: number,
  ): Promise<string>;
  /** Ends one `appendHeader` hold; a header with no hold and no stored fragment is dropped. */
  releaseHeader(headerId: string): void;
  /** Stores one fragment; resolves only once it is durable (fsync in disk mode). */
  appendFragment(streamArn: string, fragment: NewFragment, nowMs: number): Promise<FragmentRecord>;

  // ---- reads ----
  /**
   * Fragments of a stream within retention. Without a query: every fragment in fragment-number
   * (ingestion) order. With one: those whose `by` timestamp lies in [fromMs, toMs], sorted by that
   * timestamp then fragment number.
   */
  listFragments(streamArn: string, query?: FragmentQuery): FragmentRecord[];
  /** Up to `limit` fragments with a fragment number greater than `fragmentNumber`, in order. */
  fragmentsAfter(streamArn: string, fragmentNumber: string, limit?: number): FragmentRecord[];
  getFragment(streamArn: string, fragmentNumber: string): FragmentRecord | undefined;
  /** The newest fragment of the stream, if any. */
  latestFragment(streamArn: string): FragmentRecord | undefined;
  readCluster(fragment: FragmentRecord): Promise<Uint8Array>;
  readHeader(headerId: string): Promise<HeaderRecord>;
  /**
   * Calls `listener` for each new fragment of the stream once it is durable (synchronously:
   * listeners must not block), and `onStreamDeleted` if the stream goes. Returns unsubscribe.
   */
  onFragment(
    streamArn: string,
    listener: FragmentListener,
    onStreamDeleted?: () => void,
  ): () => void;

  // ---- housekeeping ----
  /**
   * Drops fragments older than each stream's retention, and producer headers that no stored
   * fragment and no open connection uses; returns how many fragments went.
   */
  enforceRetention(nowMs: number): Promise<number>;
  close(): Promise<void>;
}
