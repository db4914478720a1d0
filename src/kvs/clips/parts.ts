import type {
  ListFragmentsCommandInput,
  ListFragmentsCommandOutput,
} from "@aws-sdk/client-kinesis-video-archived-media";
import { compareFragmentNumbers } from "../../mkv/kvs-tags/fragment-numbers.ts";
import { InvalidArgumentError } from "../core/errors.ts";
import { sleep } from "../core/pacer.ts";
import type { ClipTimestampType } from "./signing.ts";

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

export interface ClipFragment {
  fragmentNumber: string;
  /** Start of the fragment on the clip's timeline (producer or server timestamp), epoch ms. */
  startMs: number;
  /** Producer timestamp, epoch ms: GetClip keeps one fragment per producer timestamp. */
  producerMs: number;
  sizeBytes: number;
  durationMs: number;
}

export interface ClipRangeMs {
  startMs: number;
  endMs: number;
}

export interface ClipPartPlan extends ClipRangeMs {
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
  range: ClipRangeMs,
  fragments: readonly ClipFragment[],
  limits: ClipPartLimits = GET_CLIP_LIMITS,
): ClipPartPlan[] {
  const selected = oldestPerProducerTimestamp(
    fragments.filter((f) => f.startMs >= range.startMs && f.startMs <= range.endMs),
  );
  const parts: ClipPartPlan[] = [];
  let current: ClipPartPlan | undefined;
  for (const group of groupByStart(selected)) {
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
      fragmentCount: group.count,
      sizeBytes: group.sizeBytes,
    };
    parts.push(current);
  }
  return parts;
}

function oldestPerProducerTimestamp(fragments: readonly ClipFragment[]): ClipFragment[] {
  const kept = new Map<number, ClipFragment>();
  for (const fragment of fragments) {
    const other = kept.get(fragment.producerMs);
    if (
      other === undefined ||
      compareFragmentNumbers(fragment.fragmentNumber, other.fragmentNumber) < 0
    ) {
      kept.set(fragment.producerMs, fragment);
    }
  }
  return [...kept.values()];
}

/** Fragments starting at the same instant can't be split between parts. */
function groupByStart(fragments: readonly ClipFragment[]): StartGroup[] {
  const byStart = new Map<number, StartGroup>();
  for (const fragment of fragments) {
    const group = byStart.get(fragment.startMs);
    if (group === undefined) {
      byStart.set(fragment.startMs, {
        startMs: fragment.startMs,
        count: 1,
        sizeBytes: fragment.sizeBytes,
      });
    } else {
      group.count += 1;
      group.sizeBytes += fragment.sizeBytes;
    }
  }
  return [...byStart.values()].sort((a, b) => a.startMs - b.startMs);
}

export type ListFragmentsPage = (
  input: ListFragmentsCommandInput,
) => Promise<Pick<ListFragmentsCommandOutput, "Fragments" | "NextToken">>;

export interface ListClipFragmentsOptions {
  /** Refuse ranges holding more fragments than this (default 100 000, about 28 h of 1 s fragments). */
  maxFragments?: number;
  /**
   * Least time between two pages (default 200 ms): KVS allows 5 ListFragments per second per
   * stream, and a day of 1-second fragments is 87 pages.
   */
  minPageIntervalMs?: number;
  signal?: AbortSignal;
}

const PAGE_SIZE = 1000;

/** Every fragment ListFragments reports for the range, all pages, in KVS's (unspecified) order. */
export async function listClipFragments(
  listPage: ListFragmentsPage,
  streamArn: string,
  timestampType: ClipTimestampType,
  range: ClipRangeMs,
  options: ListClipFragmentsOptions = {},
): Promise<ClipFragment[]> {
  const maxFragments = options.maxFragments ?? 100_000;
  const minPageIntervalMs = options.minPageIntervalMs ?? 200;
  const fragments: ClipFragment[] = [];
  let nextToken: string | undefined;
  let lastPageAt: number | undefined;
  do {
    if (lastPageAt !== undefined)
      await sleep(lastPageAt + minPageIntervalMs - Date.now(), options.signal);
    options.signal?.throwIfAborted();
    lastPageAt = Date.now();
    const page = await listPage({
      StreamARN: streamArn,
      MaxResults: PAGE_SIZE,
      ...(nextToken === undefined
        ? {
            FragmentSelector: {
              FragmentSelectorType: timestampType,
              TimestampRange: {
                StartTimestamp: new Date(range.startMs),
                EndTimestamp: new Date(range.endMs),
              },
            },
          }
        : { NextToken: nextToken }),
    });
    for (const fragment of page.Fragments ?? []) {
      const producer = fragment.ProducerTimestamp;
      const start = timestampType === "PRODUCER_TIMESTAMP" ? producer : fragment.ServerTimestamp;
      if (fragment.FragmentNumber === undefined || start === undefined || producer === undefined)
        continue;
      fragments.push({
        fragmentNumber: fragment.FragmentNumber,
        startMs: start.getTime(),
        producerMs: producer.getTime(),
        sizeBytes: fragment.FragmentSizeInBytes ?? 0,
        durationMs: fragment.FragmentLengthInMilliseconds ?? 0,
      });
    }
    if (fragments.length > maxFragments) {
      throw new InvalidArgumentError(
        `the range holds more than ${maxFragments} fragments; ask for a shorter range`,
        { argument: "range" },
      );
    }
    nextToken = page.NextToken || undefined;
  } while (nextToken !== undefined);
  return fragments;
}
