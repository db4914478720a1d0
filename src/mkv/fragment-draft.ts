// One GetMedia fragment while its document is being read: the AWS_KINESISVIDEO_* values (the last
// value of a name wins), its clusters, and the other tags in stream order.

import type { TrackBlockCounts } from "./cluster-tally.ts";
import { decimalSecondsToMs, parseNonNegativeInt, stripNuls } from "./kvs-tag-values.ts";
import { KVS_TAG } from "./kvs-tags-writer.ts";
import type { FragmentTag, GetMediaFragment, TrackSummary } from "./types.ts";

export const AWS_TAG_PREFIX = "AWS_KINESISVIDEO_";

export interface SimpleTag {
  name: string;
  value: string | null;
}

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

  constructor(
    /** Stream offset where this fragment's bytes start. */
    readonly start: number,
    /** Non-AWS tags seen earlier in the document. */
    readonly otherTags: FragmentTag[],
  ) {}

  /** Whether the closing tags (MILLIS_BEHIND_NOW and CONTINUATION_TOKEN) or an error arrived. */
  get finished(): boolean {
    return this.complete || this.errorCode !== null || this.errorId !== null;
  }

  get complete(): boolean {
    return this.millisBehindNow !== null && this.continuationToken !== null;
  }

  /** Takes one SimpleTag; AWS names set fields, other tags are kept with their position. */
  addTag(tag: SimpleTag): void {
    if (!tag.name.startsWith(AWS_TAG_PREFIX)) {
      const position = this.clusterTimecodes.length > 0 ? "post-cluster" : "pre-cluster";
      this.otherTags.push({ name: tag.name, value: tag.value, position });
      return;
    }
    const value = tag.value === null ? null : stripNuls(tag.value);
    switch (tag.name) {
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
    perTrack: Iterable<[number, TrackBlockCounts]>,
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
      const sum = this.trackCounts.get(track);
      if (sum === undefined) this.trackCounts.set(track, { ...counts });
      else {
        sum.blocks += counts.blocks;
        sum.keyframes += counts.keyframes;
      }
    }
  }

  build(end: number, tracks: TrackSummary[], timecodeScaleNs: number): GetMediaFragment {
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
      tracks: tracks.map((track) => {
        const counts = this.trackCounts.get(track.number);
        return { ...track, blockCount: counts?.blocks ?? 0, keyframeCount: counts?.keyframes ?? 0 };
      }),
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
}
