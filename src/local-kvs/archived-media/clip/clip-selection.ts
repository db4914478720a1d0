// Which fragments a GetClip answer holds (API reference, GetClip and ClipTimestampRange):
// fragments whose start timestamp (producer or server, per the selector) lies in
// [StartTimestamp, EndTimestamp] (a fragment that starts before EndTimestamp and runs past it is
// included), fragments with the same producer timestamp deduplicated keeping the oldest ingested
// one, then the first 200 fragments or the first 100 MB, whichever comes first.
import { compareFragmentNumbers } from "../../../mkv/kvs-tags/fragment-numbers.ts";
import type { FragmentRecord, TimestampKind } from "../../store/types.ts";

export const CLIP_MAX_FRAGMENTS = 200;
export const CLIP_MAX_BYTES = 100 * 1024 * 1024;

export interface ClipLimits {
  maxFragments: number;
  maxBytes: number;
}

const DEFAULT_LIMITS: ClipLimits = { maxFragments: CLIP_MAX_FRAGMENTS, maxBytes: CLIP_MAX_BYTES };

function startOf(fragment: FragmentRecord, by: TimestampKind): number {
  return by === "producer" ? fragment.producerTimestampMs : fragment.serverTimestampMs;
}

/** Earlier ingestion first; within one ingestion, the earlier fragment. */
function ingestedBefore(a: FragmentRecord, b: FragmentRecord): boolean {
  if (a.ingestionId !== b.ingestionId) return a.ingestionId < b.ingestionId;
  return compareFragmentNumbers(a.fragmentNumber, b.fragmentNumber) < 0;
}

/**
 * `inRange` are the stream's fragments whose `by` timestamp lies in the requested range (the
 * store's query), in any order. Returns the clip's fragments in timeline order.
 */
export function selectClipFragments(
  inRange: readonly FragmentRecord[],
  by: TimestampKind,
  limits: ClipLimits = DEFAULT_LIMITS,
): FragmentRecord[] {
  const oldestPerProducerTimestamp = new Map<number, FragmentRecord>();
  for (const fragment of inRange) {
    const kept = oldestPerProducerTimestamp.get(fragment.producerTimestampMs);
    if (!kept || ingestedBefore(fragment, kept)) {
      oldestPerProducerTimestamp.set(fragment.producerTimestampMs, fragment);
    }
  }
  const ordered = [...oldestPerProducerTimestamp.values()].sort(
    (a, b) =>
      startOf(a, by) - startOf(b, by) || compareFragmentNumbers(a.fragmentNumber, b.fragmentNumber),
  );

  const selected: FragmentRecord[] = [];
  let bytes = 0;
  for (const fragment of ordered) {
    if (selected.length >= limits.maxFragments) break;
    // The first fragment always goes in, so a clip is never empty while fragments exist.
    if (selected.length > 0 && bytes + fragment.sizeBytes > limits.maxBytes) break;
    selected.push(fragment);
    bytes += fragment.sizeBytes;
  }
  return selected;
}
