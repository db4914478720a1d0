// What the cluster splitter reports while it reads a PutMedia body.
import type { EbmlError, MkvErrorReason } from "../ebml/primitives.ts";
import type { TrackInfo } from "../matroska/types.ts";

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
