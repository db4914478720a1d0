import { InvalidArgumentError } from "../core/errors.ts";
import {
  allFragments,
  type Fragment,
  type ListFragmentsCall,
  type RangeMs,
  type TimestampType,
  timestampOf,
} from "../core/fragments.ts";
import { type ClipPartLimits, type ClipPartPlan, GET_CLIP_LIMITS, planClipParts } from "./parts.ts";

/**
 * The parts of a long range, planned as they are needed. ListFragments answers in no order, so
 * parts can only be planned from a completely read stretch of the timeline; reading all of a
 * 24-hour range first (about 90 pages at KVS's 5 per second) would hold back a download's first
 * byte by many seconds. Instead the range is read in windows: each window's fragments join the
 * ones of the part still open, every part that can no longer grow is handed out, and the open one
 * waits for the next window. The parts are the ones `planClipParts` plans for the whole range:
 * the planner is greedy from the range's start, and fragments starting at one instant share a
 * window.
 */

export interface ClipPartWindowsOptions {
  limits?: ClipPartLimits;
  /** Timeline read per ListFragments pass (default 10 minutes: ~600 one-second fragments, one page). */
  windowMs?: number;
  /** Refuse ranges holding more fragments than this (default 100 000, as `allFragments`). */
  maxFragments?: number;
  /** Waits for each ListFragments call's turn (KVS allows 5 per second per stream). */
  pace?: (signal: AbortSignal | undefined) => Promise<void>;
  signal?: AbortSignal;
}

export async function* clipPartsInWindows(
  list: ListFragmentsCall,
  timestampType: TimestampType,
  range: RangeMs,
  options: ClipPartWindowsOptions = {},
): AsyncGenerator<ClipPartPlan> {
  const limits = options.limits ?? GET_CLIP_LIMITS;
  const windowMs = options.windowMs ?? 10 * 60_000;
  const maxFragments = options.maxFragments ?? 100_000;
  const { signal, pace } = options;
  /** Fragments of the part still open (it may grow into the next window). */
  let open: Fragment[] = [];
  let openStartMs = range.startMs;
  let seen = 0;
  for (let windowStart = range.startMs; windowStart <= range.endMs; ) {
    const windowEnd = Math.min(range.endMs, windowStart + windowMs - 1);
    const listed = await allFragments(
      list,
      { startMs: windowStart, endMs: windowEnd },
      {
        maxFragments,
        ...(pace === undefined ? {} : { pace }),
        ...(signal === undefined ? {} : { signal }),
      },
    );
    const inWindow = listed.filter((f) => {
      const startMs = timestampOf(f, timestampType);
      return startMs >= windowStart && startMs <= windowEnd;
    });
    seen += inWindow.length;
    if (seen > maxFragments) {
      throw new InvalidArgumentError(
        `the range holds more than ${maxFragments} fragments; ask for a shorter range`,
        { argument: "range" },
      );
    }
    const candidates = open.concat(inWindow);
    const plans = planClipParts(
      { startMs: openStartMs, endMs: range.endMs },
      candidates,
      timestampType,
      limits,
    );
    const last = plans.at(-1);
    if (last !== undefined) {
      yield* plans.slice(0, -1);
      openStartMs = last.startMs;
      open = candidates.filter((f) => timestampOf(f, timestampType) >= last.startMs);
    }
    windowStart = windowEnd + 1;
  }
  if (open.length > 0) {
    yield* planClipParts({ startMs: openStartMs, endMs: range.endMs }, open, timestampType, limits);
  }
}
