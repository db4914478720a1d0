// Continuous recordings: runs of fragments where each starts within `maxGapMs` of the end of the
// run so far, and the gaps between runs. A camera UI draws its timeline from these instead of
// merging tens of thousands of fragments itself (a day of 2-second fragments is 43,200).

import type { Fragment, TimestampType } from "../core/fragments.ts";
import { comparePositions, positionOf, timestampOf } from "../core/fragments.ts";
import type { FragmentChunk } from "./fragment-windows.ts";

export interface Recording {
  readonly startMs: number;
  /** The end of its last fragment (start + duration), the latest of its fragments' ends. */
  readonly endMs: number;
  readonly fragmentCount: number;
  readonly sizeBytes: number;
  /** The end of the recording before it in the range, when there is one. */
  readonly previousEndMs: number | null;
}

/** Where a scan stopped: the last fragment consumed, the run under way and the last run's end. */
export interface RecordingScanState {
  /** Selected timestamp and number of the last fragment consumed. */
  readonly lastMs: number;
  readonly lastNumber: string;
  readonly open: OpenRecording | null;
  readonly previousEndMs: number | null;
}

export interface OpenRecording {
  readonly startMs: number;
  readonly endMs: number;
  readonly fragmentCount: number;
  readonly sizeBytes: number;
  /** The duration of its last fragment: the default gap allowance follows it. */
  readonly lastDurationMs: number;
}

/**
 * The gap allowed after a fragment when the caller gives none: half its duration. Arrival jitter
 * is far below that, and one missing fragment always opens a gap.
 */
export function defaultMaxGapMs(lastDurationMs: number): number {
  return Math.max(1, Math.floor(lastDurationMs / 2));
}

export interface RecordingsPage {
  readonly recordings: Array<{ recording: Recording; after: RecordingScanState }>;
  /** Where to go on from; null when the range is done. */
  readonly resume: RecordingScanState | null;
}

export interface RecordingScan {
  readonly timestampType: TimestampType;
  readonly maxGapMs: number | null;
  readonly limit: number;
  /** Consulted after each chunk: true to stop there (e.g. the page's call budget is spent). */
  readonly shouldPause: () => boolean;
}

/** Up to `limit` recordings from the chunks, resuming `state` (null: from the range's start). */
export async function scanRecordings(
  chunks: AsyncIterable<FragmentChunk>,
  state: RecordingScanState | null,
  scan: RecordingScan,
): Promise<RecordingsPage> {
  const type = scan.timestampType;
  const recordings: RecordingsPage["recordings"] = [];
  let open = state?.open ?? null;
  let previousEndMs = state?.previousEndMs ?? null;
  let last = state ? { timestampMs: state.lastMs, number: state.lastNumber } : null;

  const stateNow = (): RecordingScanState => ({
    lastMs: last?.timestampMs ?? Number.MIN_SAFE_INTEGER,
    lastNumber: last?.number ?? "0",
    open,
    previousEndMs,
  });

  for await (const chunk of chunks) {
    for (const fragment of chunk.fragments) {
      const position = positionOf(fragment, type);
      if (last !== null && comparePositions(position, last) <= 0) continue;
      const startMs = timestampOf(fragment, type);
      const endMs = startMs + fragment.durationMs;
      const allowance = scan.maxGapMs ?? defaultMaxGapMs(open?.lastDurationMs ?? 0);
      if (open !== null && startMs <= open.endMs + allowance) {
        open = extend(open, fragment, endMs);
      } else {
        if (open !== null) {
          if (recordings.length === scan.limit) {
            return { recordings, resume: stateNow() };
          }
          const recording = close(open, previousEndMs);
          previousEndMs = recording.endMs;
          // Resuming after this edge: everything up to the fragment before this one is consumed.
          recordings.push({ recording, after: { ...stateNow(), open: null } });
        }
        open = {
          startMs,
          endMs,
          fragmentCount: 1,
          sizeBytes: fragment.sizeBytes,
          lastDurationMs: fragment.durationMs,
        };
      }
      last = position;
    }
    if (scan.shouldPause()) return { recordings, resume: stateNow() };
  }
  if (open !== null) {
    if (recordings.length === scan.limit) return { recordings, resume: stateNow() };
    const recording = close(open, previousEndMs);
    recordings.push({
      recording,
      after: { ...stateNow(), open: null, previousEndMs: recording.endMs },
    });
  }
  return { recordings, resume: null };
}

function extend(open: OpenRecording, fragment: Fragment, endMs: number): OpenRecording {
  return {
    startMs: open.startMs,
    endMs: Math.max(open.endMs, endMs),
    fragmentCount: open.fragmentCount + 1,
    sizeBytes: open.sizeBytes + fragment.sizeBytes,
    lastDurationMs: fragment.durationMs,
  };
}

function close(open: OpenRecording, previousEndMs: number | null): Recording {
  return {
    startMs: open.startMs,
    endMs: open.endMs,
    fragmentCount: open.fragmentCount,
    sizeBytes: open.sizeBytes,
    previousEndMs,
  };
}
