// The gateway's playback defaults and the rules it checks before calling KVS.
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../src/kvs/core/errors.ts";
import { checkPlaybackArgs } from "../../../src/kvs/playback/request.ts";

const NOW = Date.parse("2026-06-01T12:00:00.000Z");
const hourAgo = new Date(NOW - 3_600_000);

describe("checkPlaybackArgs", () => {
  it("defaults to a LIVE HLS fMP4 session of an hour that survives gaps", () => {
    expect(checkPlaybackArgs({}, NOW)).toEqual({
      protocol: "HLS",
      mode: "LIVE",
      timestampType: "SERVER_TIMESTAMP",
      expiresInSeconds: 3600,
      containerFormat: "FRAGMENTED_MP4",
      discontinuityMode: "ON_DISCONTINUITY",
      displayFragmentTimestamp: false,
      displayFragmentNumber: false,
      replayFallback: false,
    });
  });

  it("keeps KVS's NEVER default for producer timestamps, and an open LIVE_REPLAY end", () => {
    const replay = checkPlaybackArgs(
      { mode: "LIVE_REPLAY", timestampType: "PRODUCER_TIMESTAMP", range: { start: hourAgo } },
      NOW,
    );
    expect(replay).toMatchObject({ discontinuityMode: "NEVER", startMs: hourAgo.getTime() });
    expect(replay).not.toHaveProperty("endMs");
  });

  it("lets a producer-timestamp range end in the future, not a server-timestamp one", () => {
    const range = { start: hourAgo, end: new Date(NOW + 60_000) };
    expect(
      checkPlaybackArgs({ mode: "ON_DEMAND", timestampType: "PRODUCER_TIMESTAMP", range }, NOW)
        .endMs,
    ).toBe(NOW + 60_000);
    expect(() => checkPlaybackArgs({ mode: "ON_DEMAND", range }, NOW)).toThrow(
      InvalidArgumentError,
    );
  });

  it("accepts the Expires bounds and refuses what lies outside them", () => {
    expect(checkPlaybackArgs({ expiresIn: 300 }, NOW).expiresInSeconds).toBe(300);
    expect(checkPlaybackArgs({ expiresIn: 43_200 }, NOW).expiresInSeconds).toBe(43_200);
    expect(() => checkPlaybackArgs({ expiresIn: 1.5e3 + 0.5 }, NOW)).toThrow(/expiresIn/);
  });
});
