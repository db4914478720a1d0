// What the GetMedia reader reports: one event per fragment document, or the error that ended it.
import type { EbmlError } from "../ebml/primitives.ts";
import type { FragmentTrack } from "../matroska/types.ts";

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
