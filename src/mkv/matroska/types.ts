// Track shapes shared by the MKV splitter (PutMedia ingest) and the GetMedia reader.

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
