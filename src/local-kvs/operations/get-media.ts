// POST /getMedia: the stream's fragments as concatenated MKV documents, then a live tail, until
// the session's time is up (KVS ends GetMedia after 40-45 minutes; consumers resume with the
// continuation token).

import { invalidArgument, KvsServiceError } from "../errors.ts";
import { runGetMediaSession, type StartPosition } from "../media/get-media-session.ts";
import type { OperationHandler } from "../server/context.ts";
import type { FragmentRecord, FragmentStore } from "../store/types.ts";
import { CONTINUATION_TOKEN, FRAGMENT_NUMBER, START_SELECTOR_TYPES } from "../validation.ts";
import { streamFromInput } from "./resolve-stream.ts";

/**
 * The fragment whose span holds `timestampMs`, by server or producer time: the last one (in
 * fragment-number order) that started at or before it, or the next one when that fragment ended
 * before the timestamp. Undefined when the timestamp is past everything stored.
 */
function fragmentAtTimestamp(
  fragments: readonly FragmentRecord[],
  timestampMs: number,
  by: "server" | "producer",
): FragmentRecord | undefined {
  const startOf = (f: FragmentRecord) =>
    by === "server" ? f.serverTimestampMs : f.producerTimestampMs;
  let holder = -1;
  fragments.forEach((f, i) => {
    if (startOf(f) <= timestampMs) holder = i;
  });
  if (holder < 0) return fragments[0];
  const candidate = fragments[holder] as FragmentRecord;
  if (timestampMs < startOf(candidate) + Math.max(candidate.durationMs, 1)) return candidate;
  return fragments[holder + 1];
}

/** Node timers fire at once past 2^31-1 ms, so a longer cap is no cap. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A signal aborted `maxSeconds` from now (none for 0 or an over-long cap); clear() when done. */
function sessionDeadline(maxSeconds: number): { signal?: AbortSignal; clear(): void } {
  const ms = maxSeconds * 1000;
  if (!(ms > 0 && ms <= MAX_TIMER_MS)) return { clear() {} };
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), ms);
  return { signal: deadline.signal, clear: () => clearTimeout(timer) };
}

/**
 * After a fragment the stream holds. A number it does not hold (never, or no longer: retention)
 * is KVS's ERROR_ID 4000 "Requested fragment is not found" in the body: GetMedia's exceptions
 * are for the request and the stream, the fragment is reported in the media.
 */
function afterStoredFragment(
  store: FragmentStore,
  streamArn: string,
  fragmentNumber: string,
): StartPosition {
  return store.getFragment(streamArn, fragmentNumber)
    ? { kind: "after", fragmentNumber }
    : { kind: "missing", fragmentNumber };
}

function resolveStart(
  store: FragmentStore,
  streamArn: string,
  type: (typeof START_SELECTOR_TYPES)[number],
  selector: { afterFragmentNumber?: string; startTimestampMs?: number; continuationToken?: string },
): StartPosition {
  switch (type) {
    case "EARLIEST":
      return { kind: "after", fragmentNumber: "" };
    case "NOW":
      return {
        kind: "after",
        fragmentNumber: store.latestFragment(streamArn)?.fragmentNumber ?? "",
      };
    case "FRAGMENT_NUMBER":
      return afterStoredFragment(store, streamArn, selector.afterFragmentNumber as string);
    case "CONTINUATION_TOKEN":
      // Our tokens are the number of the last fragment a reader received.
      if (!/^[0-9]+$/.test(selector.continuationToken as string)) {
        throw invalidArgument("The continuation token is not valid.");
      }
      return afterStoredFragment(store, streamArn, selector.continuationToken as string);
    case "SERVER_TIMESTAMP":
    case "PRODUCER_TIMESTAMP": {
      const fragments = store.listFragments(streamArn);
      const by = type === "SERVER_TIMESTAMP" ? "server" : "producer";
      const found = fragmentAtTimestamp(fragments, selector.startTimestampMs as number, by);
      if (found) return { kind: "from", fragment: found };
      // Nothing stored there yet: continue with what arrives next.
      return { kind: "after", fragmentNumber: fragments.at(-1)?.fragmentNumber ?? "" };
    }
  }
}

export const getMedia: OperationHandler = {
  operation: "GetMedia",
  async handle(ctx) {
    const { input, store, config, clock } = ctx;
    const selectorInput = input.object("StartSelector", { required: true });
    const type = selectorInput?.enumeration("StartSelectorType", START_SELECTOR_TYPES, {
      required: true,
    }) as (typeof START_SELECTOR_TYPES)[number];
    const afterFragmentNumber = selectorInput?.string("AfterFragmentNumber", FRAGMENT_NUMBER);
    const startTimestampMs = selectorInput?.timestampMs("StartTimestamp");
    const continuationToken = selectorInput?.string("ContinuationToken", CONTINUATION_TOKEN);
    if (type === "FRAGMENT_NUMBER" && afterFragmentNumber === undefined) {
      throw invalidArgument(
        "AfterFragmentNumber is required with StartSelectorType FRAGMENT_NUMBER.",
      );
    }
    if (
      (type === "SERVER_TIMESTAMP" || type === "PRODUCER_TIMESTAMP") &&
      startTimestampMs === undefined
    ) {
      throw invalidArgument(`StartTimestamp is required with StartSelectorType ${type}.`);
    }
    if (type === "CONTINUATION_TOKEN" && continuationToken === undefined) {
      throw invalidArgument(
        "ContinuationToken is required with StartSelectorType CONTINUATION_TOKEN.",
      );
    }
    const stream = streamFromInput(store, input);
    const streamArn = stream.streamArn;

    if (!ctx.rates.tryAcquire(`GetMedia:${streamArn}`, config.getMediaRatePerSecond, clock.now())) {
      throw new KvsServiceError(
        "ClientLimitExceededException",
        "Kinesis Video Streams has throttled the request because you have exceeded the limit of allowed client calls (GetMedia, per stream per second).",
      );
    }
    const release = ctx.connections.tryOpen(
      `GetMedia:${streamArn}`,
      config.getMediaConnectionLimit,
    );
    if (!release) {
      throw new KvsServiceError(
        "ConnectionLimitExceededException",
        `Kinesis Video Streams has throttled the request because you have exceeded the limit of ${config.getMediaConnectionLimit} concurrent GetMedia connections for this stream.`,
      );
    }
    const deadline = sessionDeadline(config.getMediaSessionMaxSeconds);
    try {
      const start = resolveStart(store, streamArn, type, {
        ...(afterFragmentNumber !== undefined ? { afterFragmentNumber } : {}),
        ...(startTimestampMs !== undefined ? { startTimestampMs } : {}),
        ...(continuationToken !== undefined ? { continuationToken } : {}),
      });
      const sink = ctx.startStream("video/webm");
      const fault = ctx.fault;
      await runGetMediaSession({
        store,
        streamArn,
        start,
        sink,
        clock,
        signal: ctx.signal,
        sessionEnd: deadline.signal,
        ...(fault?.kind === "media-error"
          ? { injectedError: { errorId: fault.errorId, afterFragments: fault.afterFragments ?? 0 } }
          : {}),
      });
    } finally {
      deadline.clear();
      release();
    }
  },
};
