// One GetMedia fragment while its document is being read: the AWS_KINESISVIDEO_* values (the last
// value of a name wins), its clusters, and the other tags in stream order.

import { AWS_TAG_PREFIX, KVS_TAG } from "../kvs-tags/names.ts";
import { decimalSecondsToMs, parseNonNegativeInt, stripNuls } from "../kvs-tags/values.ts";
import type { TrackBlockCounts } from "../matroska/cluster-tally.ts";
import type { FragmentTrack, TrackSummary } from "../matroska/types.ts";
import type { FragmentTag, GetMediaFragment } from "./types.ts";

export class FragmentDraft {
  fragmentNumber: string | null = null;
  serverTimestamp: string | null = null;
  producerTimestamp: string | null = null;
  millisBehindNow: string | null = null;
  continuationToken: string | null = null;
  errorCode: string | null = null;
  errorId: string | null = null;
  readonly clusterTimecodes: number[] = [];
  blockCount = 0;
  keyframeCount = 0;
  lastBlockTruncated = false;
  private readonly trackCounts = new Map<number, TrackBlockCounts>();
  private firstTick = 0;
  private endTick = 0;

  /** Stream offset where this fragment's bytes start. */
  readonly start: number;
  /** Non-AWS tags seen earlier in the document. */
  readonly otherTags: FragmentTag[];

  constructor(start: number, otherTags: FragmentTag[]) {
    this.start = start;
    this.otherTags = otherTags;
  }

  /** Whether the closing tags (MILLIS_BEHIND_NOW and CONTINUATION_TOKEN) or an error arrived. */
  get finished(): boolean {
    return this.complete || this.errorCode !== null || this.errorId !== null;
  }

  get complete(): boolean {
    return this.millisBehindNow !== null && this.continuationToken !== null;
  }

  /** Takes one SimpleTag; AWS names set fields, other tags are kept with their position. */
  addTag(name: string, text: string | null): void {
    if (!name.startsWith(AWS_TAG_PREFIX)) {
      const position = this.clusterTimecodes.length > 0 ? "post-cluster" : "pre-cluster";
      this.otherTags.push({ name, value: text, position });
      return;
    }
    const value = text === null ? null : stripNuls(text);
    switch (name) {
      case KVS_TAG.FragmentNumber:
        this.fragmentNumber = value;
        break;
      case KVS_TAG.ServerTimestamp:
        this.serverTimestamp = value;
        break;
      case KVS_TAG.ProducerTimestamp:
        this.producerTimestamp = value;
        break;
      case KVS_TAG.MillisBehindNow:
        this.millisBehindNow = value;
        break;
      case KVS_TAG.ContinuationToken:
        this.continuationToken = value;
        break;
      case KVS_TAG.ErrorCode:
        this.errorCode = value;
        break;
      case KVS_TAG.ErrorId:
        this.errorId = value;
        break;
      // Other AWS_KINESISVIDEO_* names are producer-side markers; the reference parser drops them.
    }
  }

  addCluster(
    timecode: number,
    durationTicks: number,
    blocks: number,
    keyframes: number,
    perTrack: ReadonlyMap<number, Readonly<TrackBlockCounts>>,
  ): void {
    const end = timecode + durationTicks;
    if (this.clusterTimecodes.length === 0) {
      this.firstTick = timecode;
      this.endTick = end;
    } else {
      this.firstTick = Math.min(this.firstTick, timecode);
      this.endTick = Math.max(this.endTick, end);
    }
    this.clusterTimecodes.push(timecode);
    this.blockCount += blocks;
    this.keyframeCount += keyframes;
    for (const [track, counts] of perTrack) {
      if (counts.blocks === 0) continue;
      const sum = this.trackCounts.get(track);
      if (sum === undefined) {
        this.trackCounts.set(track, { blocks: counts.blocks, keyframes: counts.keyframes });
      } else {
        sum.blocks += counts.blocks;
        sum.keyframes += counts.keyframes;
      }
    }
  }

  build(end: number, tracks: readonly TrackSummary[], timecodeScaleNs: number): GetMediaFragment {
    const hasClusters = this.clusterTimecodes.length > 0;
    return {
      fragmentNumber: this.fragmentNumber,
      serverTimestamp: this.serverTimestamp,
      serverTimestampMs:
        this.serverTimestamp === null ? null : decimalSecondsToMs(this.serverTimestamp),
      producerTimestamp: this.producerTimestamp,
      producerTimestampMs:
        this.producerTimestamp === null ? null : decimalSecondsToMs(this.producerTimestamp),
      millisBehindNow:
        this.millisBehindNow === null ? null : parseNonNegativeInt(this.millisBehindNow),
      continuationToken: this.continuationToken,
      errorCode: this.errorCode,
      errorId: this.errorId,
      complete: this.complete,
      tracks: tracks.map((track) => this.fragmentTrack(track)),
      timecodeScaleNs,
      clusterTimecodes: this.clusterTimecodes,
      blockCount: this.blockCount,
      keyframeCount: this.keyframeCount,
      lastBlockTruncated: this.lastBlockTruncated,
      byteSize: end - this.start,
      durationMs: hasClusters
        ? Math.round(((this.endTick - this.firstTick) * timecodeScaleNs) / 1e6)
        : null,
      otherTags: this.otherTags,
    };
  }

  /**
   * The track with this fragment's counts. Fields are copied one by one: an object spread of
   * the summary took a tenth of the reader's time on tag-dense streams.
   */
  private fragmentTrack(track: TrackSummary): FragmentTrack {
    const counts = this.trackCounts.get(track.number);
    return {
      number: track.number,
      type: track.type,
      codecId: track.codecId,
      codecPrivateLength: track.codecPrivateLength,
      width: track.width,
      height: track.height,
      samplingFrequency: track.samplingFrequency,
      channels: track.channels,
      defaultDurationNs: track.defaultDurationNs,
      blockCount: counts?.blocks ?? 0,
      keyframeCount: counts?.keyframes ?? 0,
    };
  }
}
