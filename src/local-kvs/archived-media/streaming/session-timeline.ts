// The fragments a playback session has shown, in order, on the session's media timeline.
//
// - ON_DEMAND: fixed at creation: the fragments that start in [start, end], oldest first, up to
//   the session's maximum.
// - LIVE: the newest fragments by ingestion (server time); each refresh appends those that
//   arrived since. A fragment older than the newest one shown is never added, so gaps stay gaps.
// - LIVE_REPLAY: the fragments from the start, oldest first; the next one is appended once the
//   previous one's duration has passed since it was, growing until the end (or expiry).
//
// With PRODUCER_TIMESTAMP, of fragments with one producer timestamp the newest (largest fragment
// number) is shown. A discontinuity is marked before a fragment per DiscontinuityMode: ALWAYS,
// NEVER, or ON_DISCONTINUITY when its start is more than 50 ms off the previous one's end.
//
// Media time: the first fragment starts at 0; the next starts where the previous one ended when
// a discontinuity is marked before it (players reset their timeline there) and always for DASH
// (KVS makes the manifest timeline continuous); otherwise it keeps its real distance to the
// previous fragment, so the player's timeline follows the fragment timestamps.
import { compareFragmentNumbers } from "../../../mkv/kvs-tags/fragment-numbers.ts";
import type { FragmentRecord, FragmentStore } from "../../store/types.ts";
import type { PlaybackSessionRequest } from "./session-request.ts";

export const DISCONTINUITY_THRESHOLD_MS = 50;
/** Entries kept behind a live window, for players that fetch a fragment just after it left. */
const TRAILING_ENTRIES = 50;
/** Bounds each LIVE_REPLAY refresh's store query beyond what the elapsed time can admit. */
const REPLAY_LOOKAHEAD_MS = 60_000;

export interface TimelineEntry {
  /** 0 for the session's first fragment, then +1 per fragment (HLS media sequence, DASH $Number$). */
  sequence: number;
  fragment: FragmentRecord;
  /** The selector's timestamp (server or producer), epoch ms. */
  timestampMs: number;
  /** Start on the session's media timeline, ms. */
  mediaStartMs: number;
  /** A discontinuity is marked before this fragment. */
  discontinuity: boolean;
  /** Discontinuities marked up to and including this entry (EXT-X-DISCONTINUITY-SEQUENCE). */
  discontinuitySequence: number;
}

const timestampOf = (fragment: FragmentRecord, request: PlaybackSessionRequest) =>
  request.by === "producer" ? fragment.producerTimestampMs : fragment.serverTimestampMs;

/** By timestamp; of equal producer timestamps only the newest fragment. */
export function orderForPlayback(
  fragments: readonly FragmentRecord[],
  request: PlaybackSessionRequest,
): FragmentRecord[] {
  const ordered = [...fragments].sort(
    (a, b) =>
      timestampOf(a, request) - timestampOf(b, request) ||
      compareFragmentNumbers(a.fragmentNumber, b.fragmentNumber),
  );
  if (request.by !== "producer") return ordered;
  return ordered.filter((f, i) => ordered[i + 1]?.producerTimestampMs !== f.producerTimestampMs);
}

export class SessionTimeline {
  readonly #request: PlaybackSessionRequest;
  readonly #entries: TimelineEntry[] = [];
  readonly #bySequence = new Map<number, TimelineEntry>();
  readonly #byFragment = new Map<string, TimelineEntry>();
  #ended = false;
  /** LIVE_REPLAY: when the next fragment may be appended (epoch ms). */
  #nextAdmitAtMs: number;
  #longestMs = 0;
  #first: TimelineEntry | undefined;

  /** `initial` are the first fragments, already selected and ordered for the mode. */
  constructor(request: PlaybackSessionRequest, initial: readonly FragmentRecord[], nowMs: number) {
    this.#request = request;
    this.#nextAdmitAtMs = nowMs;
    if (request.mode === "LIVE_REPLAY") {
      const first = initial[0];
      if (first) this.#admitReplay(first);
    } else {
      for (const fragment of initial) this.#append(fragment);
    }
    this.#ended = request.mode === "ON_DEMAND";
  }

  /** Appends what the mode lets in by `nowMs`. */
  refresh(store: FragmentStore, nowMs: number): void {
    if (this.#ended) return;
    const last = this.#last;
    if (!last) return;
    if (this.#request.mode === "LIVE") this.#refreshLive(store, last);
    else this.#refreshReplay(store, nowMs);
  }

  /** The fragments a playlist or manifest shows now. */
  window(): TimelineEntry[] {
    if (this.#request.mode === "ON_DEMAND") return this.#entries;
    return this.#entries.slice(-this.#request.maxFragments);
  }

  /** True once no fragment will be added (ON_DEMAND, or LIVE_REPLAY past its end). */
  get ended(): boolean {
    return this.#ended;
  }

  /** The longest fragment shown so far (ms): the playlist's target duration never shrinks. */
  get longestFragmentMs(): number {
    return this.#longestMs;
  }

  /** The session's first fragment (kept when a live window has moved past it). */
  first(): TimelineEntry | undefined {
    return this.#first;
  }

  get #last(): TimelineEntry | undefined {
    return this.#entries.at(-1);
  }

  byFragmentNumber(fragmentNumber: string): TimelineEntry | undefined {
    return this.#byFragment.get(fragmentNumber);
  }

  bySequence(sequence: number): TimelineEntry | undefined {
    return this.#bySequence.get(sequence);
  }

  #refreshLive(store: FragmentStore, last: TimelineEntry) {
    const arrived = store.fragmentsAfter(last.fragment.streamArn, last.fragment.fragmentNumber);
    // Only the newest ones can be in the window; older arrivals are skipped, never back-filled.
    for (const fragment of arrived.slice(-this.#request.maxFragments)) {
      const shown = this.#last as TimelineEntry;
      if (this.#request.by === "producer" && fragment.producerTimestampMs === shown.timestampMs)
        continue;
      this.#append(fragment);
    }
  }

  #refreshReplay(store: FragmentStore, nowMs: number) {
    const endMs = this.#request.endMs ?? Number.MAX_SAFE_INTEGER;
    while (this.#nextAdmitAtMs <= nowMs) {
      // Bounded by what the elapsed time can let in, so a refresh never reads a whole day.
      const bound =
        (this.#last as TimelineEntry).timestampMs +
        (nowMs - this.#nextAdmitAtMs) +
        REPLAY_LOOKAHEAD_MS;
      let candidates = this.#replayCandidates(store, Math.min(endMs, bound));
      // A gap longer than the look-ahead: the next fragment past it.
      if (candidates.length === 0 && bound < endMs)
        candidates = this.#replayCandidates(store, endMs).slice(0, 1);
      if (candidates.length === 0) break;
      for (const fragment of candidates) {
        if (this.#nextAdmitAtMs > nowMs) break;
        this.#admitReplay(fragment);
      }
    }
    if (
      this.#request.endMs !== undefined &&
      this.#request.endMs <= nowMs &&
      this.#replayCandidates(store, endMs).length === 0
    ) {
      this.#ended = true;
    }
  }

  /** Fragments after the last one shown, up to `toMs`, in playback order. */
  #replayCandidates(store: FragmentStore, toMs: number): FragmentRecord[] {
    const last = this.#last as TimelineEntry;
    const { by } = this.#request;
    const later = (f: FragmentRecord) => {
      const t = timestampOf(f, this.#request);
      if (t !== last.timestampMs) return t > last.timestampMs;
      // Equal server timestamps: later ingestion; equal producer timestamps were deduplicated.
      return (
        by === "server" &&
        compareFragmentNumbers(f.fragmentNumber, last.fragment.fragmentNumber) > 0
      );
    };
    const inRange = store.listFragments(last.fragment.streamArn, {
      by,
      fromMs: last.timestampMs,
      toMs,
    });
    return orderForPlayback(inRange, this.#request).filter(later);
  }

  #admitReplay(fragment: FragmentRecord) {
    this.#append(fragment);
    this.#nextAdmitAtMs += Math.max(1, fragment.durationMs);
  }

  #append(fragment: FragmentRecord) {
    const previous = this.#entries.at(-1);
    const timestampMs = timestampOf(fragment, this.#request);
    let discontinuity = false;
    let mediaStartMs = 0;
    if (previous) {
      const previousEnd = previous.timestampMs + previous.fragment.durationMs;
      const mode = this.#request.discontinuityMode;
      discontinuity =
        mode === "ALWAYS" ||
        (mode === "ON_DISCONTINUITY" &&
          Math.abs(timestampMs - previousEnd) > DISCONTINUITY_THRESHOLD_MS);
      const contiguous = previous.mediaStartMs + previous.fragment.durationMs;
      mediaStartMs =
        discontinuity || this.#request.protocol === "DASH"
          ? contiguous
          : Math.max(
              previous.mediaStartMs + 1,
              previous.mediaStartMs + (timestampMs - previous.timestampMs),
            );
    }
    const entry: TimelineEntry = {
      sequence: previous ? previous.sequence + 1 : 0,
      fragment,
      timestampMs,
      mediaStartMs,
      discontinuity,
      discontinuitySequence: (previous?.discontinuitySequence ?? 0) + (discontinuity ? 1 : 0),
    };
    this.#first ??= entry;
    this.#entries.push(entry);
    this.#bySequence.set(entry.sequence, entry);
    this.#byFragment.set(fragment.fragmentNumber, entry);
    this.#longestMs = Math.max(this.#longestMs, fragment.durationMs);
    this.#trim();
  }

  /** Live modes keep only the window and a few entries behind it. */
  #trim() {
    if (this.#request.mode === "ON_DEMAND") return;
    const keep = this.#request.maxFragments + TRAILING_ENTRIES;
    while (this.#entries.length > keep) {
      const gone = this.#entries.shift() as TimelineEntry;
      this.#bySequence.delete(gone.sequence);
      this.#byFragment.delete(gone.fragment.fragmentNumber);
    }
  }
}
