// GetHLSStreamingSessionURL / GetDASHStreamingSessionURL input, read and checked as the service
// model and its documentation state them: PlaybackMode (default LIVE), a fragment selector
// (SERVER_TIMESTAMP by default) whose TimestampRange is refused for LIVE and required for
// ON_DEMAND and LIVE_REPLAY, an EndTimestamp within 24 h of the start (required for ON_DEMAND,
// in the past with server timestamps), Expires 300-43200 s (default 300) and at most 5,000
// fragments per playlist (default 5 for the live modes, 1,000 for ON_DEMAND).
import { invalidArgument } from "../../errors.ts";
import type { TimestampKind } from "../../store/types.ts";
import { FRAGMENT_SELECTOR_TYPES, type RequestInput } from "../../validation.ts";

export const PLAYBACK_MODES = ["LIVE", "LIVE_REPLAY", "ON_DEMAND"] as const;
export const CONTAINER_FORMATS = ["FRAGMENTED_MP4", "MPEG_TS"] as const;
export const DISCONTINUITY_MODES = ["ALWAYS", "NEVER", "ON_DISCONTINUITY"] as const;
export const DISPLAY_MODES = ["ALWAYS", "NEVER"] as const;

export type PlaybackProtocol = "HLS" | "DASH";
export type PlaybackMode = (typeof PLAYBACK_MODES)[number];
export type ContainerFormat = (typeof CONTAINER_FORMATS)[number];
export type DiscontinuityMode = (typeof DISCONTINUITY_MODES)[number];

export const MIN_EXPIRES_SECONDS = 300;
export const MAX_EXPIRES_SECONDS = 43_200;
export const MAX_PLAYLIST_FRAGMENTS = 5_000;
const DEFAULT_LIVE_FRAGMENTS = 5;
const DEFAULT_ON_DEMAND_FRAGMENTS = 1_000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface PlaybackSessionRequest {
  protocol: PlaybackProtocol;
  mode: PlaybackMode;
  by: TimestampKind;
  /** Inclusive start of the range (ON_DEMAND, LIVE_REPLAY). */
  startMs?: number;
  /** Inclusive end: required for ON_DEMAND, optional for LIVE_REPLAY. */
  endMs?: number;
  containerFormat: ContainerFormat;
  discontinuityMode: DiscontinuityMode;
  /** HLS EXT-X-PROGRAM-DATE-TIME / DASH kvs:ts. */
  displayFragmentTimestamp: boolean;
  /** DASH kvs:fn. */
  displayFragmentNumber: boolean;
  expiresSeconds: number;
  maxFragments: number;
}

interface ProtocolMembers {
  selector: string;
  maxResults: string;
}

const MEMBERS: Record<PlaybackProtocol, ProtocolMembers> = {
  HLS: { selector: "HLSFragmentSelector", maxResults: "MaxMediaPlaylistFragmentResults" },
  DASH: { selector: "DASHFragmentSelector", maxResults: "MaxManifestFragmentResults" },
};

function checkRange(
  mode: PlaybackMode,
  by: TimestampKind,
  range: RequestInput | undefined,
  nowMs: number,
) {
  if (mode === "LIVE") {
    if (range) throw invalidArgument("TimestampRange must not be set when PlaybackMode is LIVE.");
    return {};
  }
  if (!range) {
    throw invalidArgument(
      `A fragment selector with a TimestampRange is required when PlaybackMode is ${mode}.`,
    );
  }
  const startMs = range.timestampMs("StartTimestamp");
  const endMs = range.timestampMs("EndTimestamp");
  if (startMs === undefined)
    throw invalidArgument("StartTimestamp is required in the TimestampRange.");
  if (mode === "ON_DEMAND" && endMs === undefined) {
    throw invalidArgument("EndTimestamp is required when PlaybackMode is ON_DEMAND.");
  }
  if (endMs !== undefined) {
    if (endMs <= startMs)
      throw invalidArgument("The EndTimestamp must be later than the StartTimestamp.");
    if (endMs - startMs > DAY_MS) {
      throw invalidArgument("The EndTimestamp must be within 24 hours of the StartTimestamp.");
    }
    if (by === "server" && endMs > nowMs) {
      throw invalidArgument("With SERVER_TIMESTAMP, the EndTimestamp must be in the past.");
    }
  }
  return endMs === undefined ? { startMs } : { startMs, endMs };
}

export function readPlaybackSessionRequest(
  protocol: PlaybackProtocol,
  input: RequestInput,
  nowMs: number,
): PlaybackSessionRequest {
  const members = MEMBERS[protocol];
  const mode = input.enumeration("PlaybackMode", PLAYBACK_MODES) ?? "LIVE";
  const selector = input.object(members.selector);
  const type =
    selector?.enumeration("FragmentSelectorType", FRAGMENT_SELECTOR_TYPES) ?? "SERVER_TIMESTAMP";
  const by: TimestampKind = type === "PRODUCER_TIMESTAMP" ? "producer" : "server";
  const range = checkRange(mode, by, selector?.object("TimestampRange"), nowMs);

  const containerFormat =
    protocol === "HLS"
      ? (input.enumeration("ContainerFormat", CONTAINER_FORMATS) ?? "FRAGMENTED_MP4")
      : "FRAGMENTED_MP4";
  // DASH has no DiscontinuityMode: its manifest timeline is always made continuous.
  const discontinuityMode =
    protocol === "HLS"
      ? (input.enumeration("DiscontinuityMode", DISCONTINUITY_MODES) ??
        (by === "server" ? "ALWAYS" : "NEVER"))
      : "NEVER";
  const displayFragmentTimestamp =
    input.enumeration("DisplayFragmentTimestamp", DISPLAY_MODES) === "ALWAYS";
  const displayFragmentNumber =
    protocol === "DASH" && input.enumeration("DisplayFragmentNumber", DISPLAY_MODES) === "ALWAYS";
  const expiresSeconds =
    input.integer("Expires", { min: MIN_EXPIRES_SECONDS, max: MAX_EXPIRES_SECONDS }) ??
    MIN_EXPIRES_SECONDS;
  const maxFragments =
    input.integer(members.maxResults, { min: 1, max: MAX_PLAYLIST_FRAGMENTS }) ??
    (mode === "ON_DEMAND" ? DEFAULT_ON_DEMAND_FRAGMENTS : DEFAULT_LIVE_FRAGMENTS);

  return {
    protocol,
    mode,
    by,
    ...range,
    containerFormat,
    discontinuityMode,
    displayFragmentTimestamp,
    displayFragmentNumber,
    expiresSeconds,
    maxFragments,
  };
}
