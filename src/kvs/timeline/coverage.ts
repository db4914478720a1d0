// Coverage: per calendar bucket (minute, hour, day in a time zone), how much of it is recorded,
// for a day or week bar. Recorded time counts each fragment's [start, start + duration) where it
// overlaps the bucket; fragment counts and bytes go to the bucket the fragment starts in.

import { type TimestampType, timestampOf } from "../core/fragments.ts";
import type { FragmentChunk } from "./fragment-windows.ts";
import { type BucketUnit, bucketStart, nextBucketStart } from "./zoned-time.ts";

export interface CoverageBucket {
  /** The bucket's start, or the range's start for a first bucket cut by it. */
  readonly startMs: number;
  /** The bucket's last instant (inclusive), or the range's end for a last bucket cut by it. */
  readonly endMs: number;
  recordedMs: number;
  fragmentCount: number;
  sizeBytes: number;
}

/** The range's buckets, empty; at most `maxBuckets` (else undefined). */
export function coverageBuckets(
  startMs: number,
  endMs: number,
  unit: BucketUnit,
  timeZone: string,
  maxBuckets: number,
): CoverageBucket[] | undefined {
  const buckets: CoverageBucket[] = [];
  let from = startMs;
  let bucket = bucketStart(startMs, unit, timeZone);
  while (from <= endMs) {
    if (buckets.length === maxBuckets) return undefined;
    const next = nextBucketStart(bucket, unit, timeZone);
    const to = Math.min(endMs, next - 1);
    buckets.push({ startMs: from, endMs: to, recordedMs: 0, fragmentCount: 0, sizeBytes: 0 });
    from = next;
    bucket = next;
  }
  return buckets;
}

/** Fills `buckets` (from coverageBuckets, in order) with the chunks' fragments. */
export async function fillCoverage(
  buckets: CoverageBucket[],
  chunks: AsyncIterable<FragmentChunk>,
  type: TimestampType,
): Promise<CoverageBucket[]> {
  let index = 0;
  for await (const chunk of chunks) {
    for (const fragment of chunk.fragments) {
      const startMs = timestampOf(fragment, type);
      while (index < buckets.length - 1 && (buckets[index] as CoverageBucket).endMs < startMs)
        index++;
      const home = buckets[index];
      if (home === undefined || startMs < home.startMs || startMs > home.endMs) continue;
      home.fragmentCount++;
      home.sizeBytes += fragment.sizeBytes;
      // The fragment's time, spread over the buckets it overlaps (within the range).
      const endMs = startMs + fragment.durationMs;
      for (let i = index; i < buckets.length; i++) {
        const bucket = buckets[i] as CoverageBucket;
        if (bucket.startMs >= endMs) break;
        const overlap = Math.min(endMs, bucket.endMs + 1) - Math.max(startMs, bucket.startMs);
        if (overlap > 0) bucket.recordedMs += overlap;
      }
    }
  }
  // Overlapping fragments can't make a bucket more than fully recorded.
  for (const bucket of buckets) {
    bucket.recordedMs = Math.min(bucket.recordedMs, bucket.endMs + 1 - bucket.startMs);
  }
  return buckets;
}
