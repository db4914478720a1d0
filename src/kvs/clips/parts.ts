import { compareFragmentNumbers } from "../../mkv/kvs-tags/fragment-numbers.ts";
import { type Fragment, type RangeMs, type TimestampType, timestampOf } from "../core/fragments.ts";

/**
 * Splitting a clip range into parts that each fit one GetClip. GetClip returns at most the first
 * 200 fragments or 100 MB of a range, so a longer range is cut, at fragment boundaries, into
 * consecutive sub-ranges. GetClip selects the fragments whose start is at or after StartTimestamp and
 * at or before EndTimestamp (inclusive, per the API reference). A part therefore starts at its first
 * fragment's start (the first part at the range start) and ends 1 ms before the next part's first
 * fragment (the last part at the range end), so no fragment is in two parts or in none.
 *
 * Caps are counted as the local backend and the API reference describe them: fragments after
 * deduplication, and their stored sizes (ListFragments' FragmentSizeInBytes).
 */

export interface ClipPartPlan extends RangeMs {
  /**
   * Producer timestamp of the part's first fragment: where its GetClip's timeline starts (GetClip
   * places packets by producer time from the first fragment), so parts can be laid end to end.
   */
  firstProducerMs: number;
  fragmentCount: number;
  /** Sum of the fragments' stored (Matroska) sizes; the MP4 is of the same order. */
  sizeBytes: number;
}

export interface ClipPartLimits {
  /** GetClip's fragment cap (200). */
  maxFragments: number;
  /** GetClip's size cap (100 MB), less headroom for the MP4 container. */
  maxBytes: number;
}

export const GET_CLIP_LIMITS: ClipPartLimits = {
  maxFragments: 200,
  // Fragment sizes are Matroska sizes; the MP4 differs by container overhead, so keep 5% spare.
  maxBytes: 95 * 1000 * 1000,
};

interface StartGroup {
  startMs: number;
  /** Producer timestamp of the group's lowest fragment number (GetClip's first of the group). */
  firstProducerMs: number;
  firstNumber: string;
  count: number;
  sizeBytes: number;
}

/**
 * Plans the parts of `range` from the fragments ListFragments reported (any order, any overlap
 * with the range). Fragments sharing a producer timestamp are one fragment to GetClip (it keeps the
 * oldest ingested, i.e. the lowest fragment number), so only that one is counted. Returns no part
 * when no fragment starts within the range.
 */
export function planClipParts(
  range: RangeMs,
  fragments: readonly Fragment[],
  timestampType: TimestampType,
  limits: ClipPartLimits = GET_CLIP_LIMITS,
): ClipPartPlan[] {
  const selected = oldestPerProducerTimestamp(
    fragments.filter((f) => {
      const startMs = timestampOf(f, timestampType);
      return startMs >= range.startMs && startMs <= range.endMs;
    }),
  );
  const parts: ClipPartPlan[] = [];
  let current: ClipPartPlan | undefined;
  for (const group of groupByStart(selected, timestampType)) {
    const fits =
      current !== undefined &&
      current.fragmentCount + group.count <= limits.maxFragments &&
      current.sizeBytes + group.sizeBytes <= limits.maxBytes;
    if (current !== undefined && fits) {
      current.fragmentCount += group.count;
      current.sizeBytes += group.sizeBytes;
      continue;
    }
    if (current !== undefined) current.endMs = group.startMs - 1;
    // A single group over the caps still gets a part of its own: GetClip returns what it can.
    current = {
      startMs: current === undefined ? range.startMs : group.startMs,
      endMs: range.endMs,
      firstProducerMs: group.firstProducerMs,
      fragmentCount: group.count,
      sizeBytes: group.sizeBytes,
    };
    parts.push(current);
  }
  return parts;
}

function oldestPerProducerTimestamp(fragments: readonly Fragment[]): Fragment[] {
  const kept = new Map<number, Fragment>();
  for (const fragment of fragments) {
    const producerMs = fragment.producerTimestamp.getTime();
    const other = kept.get(producerMs);
    if (other === undefined || compareFragmentNumbers(fragment.number, other.number) < 0) {
      kept.set(producerMs, fragment);
    }
  }
  return [...kept.values()];
}

/** Fragments starting at the same instant can't be split between parts. */
function groupByStart(fragments: readonly Fragment[], timestampType: TimestampType): StartGroup[] {
  const byStart = new Map<number, StartGroup>();
  for (const fragment of fragments) {
    const startMs = timestampOf(fragment, timestampType);
    const group = byStart.get(startMs);
    if (group === undefined) {
      byStart.set(startMs, {
        startMs,
        firstProducerMs: fragment.producerTimestamp.getTime(),
        firstNumber: fragment.number,
        count: 1,
        sizeBytes: fragment.sizeBytes,
      });
    } else {
      group.count += 1;
      group.sizeBytes += fragment.sizeBytes;
      if (compareFragmentNumbers(fragment.number, group.firstNumber) < 0) {
        group.firstProducerMs = fragment.producerTimestamp.getTime();
        group.firstNumber = fragment.number;
      }
    }
  }
  return [...byStart.values()].sort((a, b) => a.startMs - b.startMs);
}

/**
 * The range narrowed to the fragments GetClip would select from it: from the first selected
 * fragment's start to 1 ms after the last one's start (GetClip takes whole fragments whose start
 * lies within the range, so both ends select exactly the same fragments). Ranges that hold the same media then
 * sign into the same link and share one download and cache entry, however many milliseconds apart
 * they were asked. Undefined when no fragment starts within the range.
 */
export function snapToFragments(
  range: RangeMs,
  fragments: readonly Fragment[],
  timestampType: TimestampType,
): RangeMs | undefined {
  let startMs = Number.POSITIVE_INFINITY;
  let endMs = Number.NEGATIVE_INFINITY;
  for (const fragment of fragments) {
    const at = timestampOf(fragment, timestampType);
    if (at < range.startMs || at > range.endMs) continue;
    startMs = Math.min(startMs, at);
    endMs = Math.max(endMs, at);
  }
  if (startMs > endMs) return undefined;
  // GetClip wants an end later than the start, and so does each part: the last part may hold one
  // fragment alone. So the range ends 1 ms after its last fragment's start, unless another
  // fragment starts right then (it would be selected too).
  const next = endMs + 1;
  const taken = fragments.some((fragment) => timestampOf(fragment, timestampType) === next);
  return { startMs, endMs: taken ? endMs : next };
}
