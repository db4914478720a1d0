// Shapes shared by the MKV splitter (PutMedia ingest) and the GetMedia reader.
import type { EbmlError, MkvErrorReason } from "./ebml.ts";

export type TrackKind = "video" | "audio" | "other";

export interface TrackInfo {
  number: number;
  type: TrackKind;
  codecId: string;
  codecPrivate?: Uint8Array;
  width?: number;
  height?: number;
  samplingFrequency?: number;
  channels?: number;
  defaultDurationNs?: number;
}

/** A track as the GetMedia reader reports it: the CodecPrivate length instead of its bytes. */
export type TrackSummary = Omit<TrackInfo, "codecPrivate"> & { codecPrivateLength: number };

/** A track of one fragment: its summary and how many of the fragment's frames it holds. */
export type FragmentTrack = TrackSummary & { blockCount: number; keyframeCount: number };

export interface MkvHeader {
  /**
   * The EBML header element, then the Segment ID with the 8-byte unknown size, then every
   * Segment child before the first Cluster (SeekHead, Void, Info, Tracks, producer Tags) as-is.
   */
  bytes: Uint8Array;
  timecodeScaleNs: number;
  tracks: TrackInfo[];
}

export interface MkvCluster {
  /** The complete Cluster element exactly as ingested (known or unknown size). */
  bytes: Uint8Array;
  /** Cluster Timecode in TimecodeScale ticks. */
  timecode: number;
  blockCount: number;
  keyframeCount: number;
  /** From the cluster start to the end of its last frame, in ticks. */
  durationTicks: number;
}

export type SplitterEvent =
  | { type: "header"; header: MkvHeader }
  /** A Cluster began arriving (sent once its Timecode, or failing that its first block, was read). */
  | { type: "cluster-start"; timecode: number }
  | { type: "cluster"; cluster: MkvCluster }
  | { type: "error"; error: EbmlError; reason: MkvErrorReason };

export interface FragmentTag {
  name: string;
  value: string | null;
  position: "pre-cluster" | "post-cluster";
}

export interface GetMediaFragment {
  fragmentNumber: string | null;
  serverTimestamp: string | null;
  serverTimestampMs: number | null;
  producerTimestamp: string | null;
  producerTimestampMs: number | null;
  millisBehindNow: number | null;
  continuationToken: string | null;
  errorCode: string | null;
  errorId: string | null;
  /** Both MILLIS_BEHIND_NOW and CONTINUATION_TOKEN arrived. */
  complete: boolean;
  tracks: FragmentTrack[];
  timecodeScaleNs: number;
  clusterTimecodes: number[];
  blockCount: number;
  keyframeCount: number;
  /** The input ended inside this fragment's last block. */
  lastBlockTruncated: boolean;
  /** Bytes of this fragment's MKV document (from its EBML header, or the previous fragment's end). */
  byteSize: number;
  /** From the first cluster's start to the end of the last frame; null without clusters. */
  durationMs: number | null;
  /** Tags that are not AWS_KINESISVIDEO_* tags, in stream order. */
  otherTags: FragmentTag[];
}

export type ReaderEvent =
  | { type: "fragment"; fragment: GetMediaFragment }
  | { type: "error"; error: EbmlError };
