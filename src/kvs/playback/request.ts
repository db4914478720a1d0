// A playback request as the gateway takes it, checked against the rules of
// GetHLSStreamingSessionURL / GetDASHStreamingSessionURL before any upstream call: LIVE takes no
// range; ON_DEMAND needs start and end; LIVE_REPLAY a start (the end is optional); the end is
// later than the start, within 24 hours of it, and in the past with SERVER_TIMESTAMP; Expires
// 300-43200 s; at most 5,000 fragments per playlist. Options of one protocol given to the other
// are refused too (KVS's inputs have no such member).
//
// Defaults that play: ON_DISCONTINUITY with server timestamps (KVS's default ALWAYS makes
// players reset their timeline at every fragment), NEVER with producer timestamps; an hour's
// expiry instead of KVS's five minutes (clients re-ask before `expiresAt`).
import type { TimestampType as FragmentTimestampType } from "../core/fragments.ts";
import { invalid, validateIntRange } from "../core/validation.ts";

export type PlaybackProtocol = "HLS" | "DASH";
export type PlaybackMode = "LIVE" | "LIVE_REPLAY" | "ON_DEMAND";
export type PlaybackContainerFormat = "FRAGMENTED_MP4" | "MPEG_TS";
export type PlaybackDiscontinuityMode = "ALWAYS" | "NEVER" | "ON_DISCONTINUITY";

export const PLAYBACK_MIN_EXPIRES_SECONDS = 300;
export const PLAYBACK_MAX_EXPIRES_SECONDS = 43_200;
export const PLAYBACK_DEFAULT_EXPIRES_SECONDS = 3_600;
export const PLAYBACK_MAX_FRAGMENTS = 5_000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface PlaybackArgs {
  protocol?: PlaybackProtocol | null | undefined;
  mode?: PlaybackMode | null | undefined;
  range?: { start: Date; end?: Date | null | undefined } | null | undefined;
  timestampType?: FragmentTimestampType | null | undefined;
  expiresIn?: number | null | undefined;
  maxFragments?: number | null | undefined;
  containerFormat?: PlaybackContainerFormat | null | undefined;
  discontinuityMode?: PlaybackDiscontinuityMode | null | undefined;
  displayFragmentTimestamp?: boolean | null | undefined;
  displayFragmentNumber?: boolean | null | undefined;
  replayFallback?: boolean | null | undefined;
}

export interface PlaybackRequest {
  protocol: PlaybackProtocol;
  mode: PlaybackMode;
  timestampType: FragmentTimestampType;
  startMs?: number;
  endMs?: number;
  expiresInSeconds: number;
  maxFragments?: number;
  containerFormat: PlaybackContainerFormat;
  /** HLS only. */
  discontinuityMode: PlaybackDiscontinuityMode;
  displayFragmentTimestamp: boolean;
  /** DASH only. */
  displayFragmentNumber: boolean;
  /** LIVE only: on ResourceNotFound (nothing in the last 30 s), replay from the newest fragment. */
  replayFallback: boolean;
}

function checkRange(
  args: PlaybackArgs,
  mode: PlaybackMode,
  type: FragmentTimestampType,
  nowMs: number,
) {
  const range = args.range;
  if (mode === "LIVE") {
    if (range) throw invalid("range", "range must not be given with mode LIVE");
    return {};
  }
  if (!range) throw invalid("range", `mode ${mode} needs a range`);
  const startMs = range.start.getTime();
  const endMs = range.end?.getTime();
  if (Number.isNaN(startMs) || (endMs !== undefined && Number.isNaN(endMs))) {
    throw invalid("range", "range needs valid instants");
  }
  if (endMs === undefined) {
    if (mode === "ON_DEMAND") throw invalid("range", "mode ON_DEMAND needs range.end");
    return { startMs };
  }
  if (endMs <= startMs) throw invalid("range", "range.end must be later than range.start");
  if (endMs - startMs > DAY_MS)
    throw invalid("range", "range.end must be within 24 hours of range.start");
  if (type === "SERVER_TIMESTAMP" && endMs > nowMs) {
    throw invalid("range", "with SERVER_TIMESTAMP, range.end must be in the past");
  }
  return { startMs, endMs };
}

export function checkPlaybackArgs(args: PlaybackArgs, nowMs = Date.now()): PlaybackRequest {
  const protocol = args.protocol ?? "HLS";
  const mode = args.mode ?? "LIVE";
  const timestampType = args.timestampType ?? "SERVER_TIMESTAMP";
  const range = checkRange(args, mode, timestampType, nowMs);
  const expiresInSeconds = validateIntRange(
    args.expiresIn ?? PLAYBACK_DEFAULT_EXPIRES_SECONDS,
    PLAYBACK_MIN_EXPIRES_SECONDS,
    PLAYBACK_MAX_EXPIRES_SECONDS,
    "expiresIn",
  );
  const maxFragments =
    args.maxFragments == null
      ? undefined
      : validateIntRange(args.maxFragments, 1, PLAYBACK_MAX_FRAGMENTS, "maxFragments");
  if (protocol === "DASH") {
    if (args.containerFormat != null)
      throw invalid("containerFormat", "containerFormat applies to HLS only");
    if (args.discontinuityMode != null)
      throw invalid("discontinuityMode", "discontinuityMode applies to HLS only");
  } else if (args.displayFragmentNumber != null) {
    throw invalid("displayFragmentNumber", "displayFragmentNumber applies to DASH only");
  }
  if (args.replayFallback && mode !== "LIVE") {
    throw invalid("replayFallback", "replayFallback applies to mode LIVE only");
  }
  return {
    protocol,
    mode,
    timestampType,
    ...range,
    expiresInSeconds,
    ...(maxFragments === undefined ? {} : { maxFragments }),
    containerFormat: args.containerFormat ?? "FRAGMENTED_MP4",
    discontinuityMode:
      args.discontinuityMode ??
      (timestampType === "SERVER_TIMESTAMP" ? "ON_DISCONTINUITY" : "NEVER"),
    displayFragmentTimestamp: args.displayFragmentTimestamp ?? false,
    displayFragmentNumber: args.displayFragmentNumber ?? false,
    replayFallback: args.replayFallback ?? false,
  };
}
