// Stream.playback and playback(name|arn) through GraphQL against kvs-local: every mode and
// protocol answers a session URL on kvs-local's data endpoint that plays, its expiry, the LIVE
// fallback to LIVE_REPLAY, and each typed error kvs-local can produce.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Clock } from "../../../src/local-kvs/clock.ts";
import type { StreamPlaybackQueryVariables } from "../../generated/graphql.ts";
import { executeHttp } from "../../support/graphql.ts";
import { createStreams } from "../../support/kvs-local.ts";
import { demoSample } from "../../support/mkv.ts";
import {
  codecErrorCases,
  fetchText,
  playlistUris,
  probeFrames,
  twoFragmentsWith,
  videoPlaylistUrl,
} from "../../support/playback-media.ts";
import { ingestAt } from "../../support/seed.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { PlaybackQuery, StreamPlaybackQuery } from "./documents.ts";

const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
const sample = demoSample();
const sampleVideoFrames = sample.clusters.reduce((n, c) => n + c.videoFrames, 0);
const producerRange = {
  start: new Date(T0).toISOString(),
  end: new Date(T0 + 60_000).toISOString(),
};

let offsetMs = 0;
const clock: Clock = { now: () => Date.now() + offsetMs };
let stack: Stack;

type Variables = Omit<StreamPlaybackQueryVariables, "name">;

async function playback(variables: Variables, name = "sample") {
  const result = await executeHttp(stack.graphqlUrl, StreamPlaybackQuery, { name, ...variables });
  const stream = result.data?.stream;
  if (stream?.__typename !== "Stream" || !stream.playback)
    throw new Error(`no playback: ${JSON.stringify(result)}`);
  return stream.playback;
}

async function session(variables: Variables) {
  const answer = await playback(variables);
  if (answer.__typename !== "PlaybackSession")
    throw new Error(`expected a session, got ${JSON.stringify(answer)}`);
  return answer;
}

const sessionCalls = () =>
  stack.kvs.stats.count("GetHLSStreamingSessionURL") +
  stack.kvs.stats.count("GetDASHStreamingSessionURL");

beforeAll(async () => {
  stack = await startStack({
    kvs: { clock, playbackFragmentRatePerSecond: 0, playbackPlaylistRatePerSecond: 0 },
  });
  await createStreams(stack.kvs.endpoint, ["sample"]);
  await ingestAt(stack.kvs.endpoint, "sample", sample.bytes, T0);
});

afterAll(async () => {
  await stack?.stop();
});

describe("playback sessions", () => {
  it("answers HLS LIVE with a kvs-local session URL that lives an hour by default", async () => {
    const before = Date.now();
    const live = await session({});
    expect(live).toMatchObject({
      protocol: "HLS",
      mode: "LIVE",
      timestampType: "SERVER_TIMESTAMP",
      replayFrom: null,
    });
    expect(
      live.url.startsWith(`${stack.kvs.endpoint}/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken=`),
    ).toBe(true);
    const expires = Date.parse(live.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 3_600_000);
    const media = await fetchText(await videoPlaylistUrl(live.url));
    expect(media.status).toBe(200);
    expect(media.text).not.toContain("#EXT-X-ENDLIST");
  });

  it("plays ON_DEMAND over HLS (fMP4 and MPEG-TS) and DASH with every video frame", async () => {
    const cases: Variables[] = [
      { protocol: "HLS" },
      { protocol: "HLS", containerFormat: "MPEG_TS" },
      { protocol: "DASH", displayFragmentNumber: true },
    ];
    for (const variables of cases) {
      const answer = await session({
        ...variables,
        mode: "ON_DEMAND",
        timestampType: "PRODUCER_TIMESTAMP",
        range: producerRange,
      });
      expect(answer.mode).toBe("ON_DEMAND");
      expect(answer.url).toContain(
        variables.protocol === "DASH" ? "/dash/v1/getDASHManifest.mpd" : "/hls/v1/",
      );
      const played = await probeFrames(answer.url);
      expect(played.video, JSON.stringify(variables)).toBe(sampleVideoFrames);
    }
  });

  it("answers LIVE_REPLAY from range.start, and the root field by ARN", async () => {
    const replay = await session({
      mode: "LIVE_REPLAY",
      timestampType: "PRODUCER_TIMESTAMP",
      range: { start: producerRange.start },
    });
    const media = await fetchText(await videoPlaylistUrl(replay.url));
    expect(playlistUris(replay.url, media.text)).toHaveLength(1);
    const arn = stack.kvs.store.getStreamByName("sample")?.streamArn;
    const root = await executeHttp(stack.graphqlUrl, PlaybackQuery, {
      arn,
      protocol: "DASH",
      mode: "LIVE",
    });
    expect(root.data?.playback).toMatchObject({
      __typename: "PlaybackSession",
      protocol: "DASH",
      mode: "LIVE",
    });
  });

  it("passes DiscontinuityMode and DisplayFragmentTimestamp through, NEVER by default with producer timestamps", async () => {
    const text = async (variables: Variables) =>
      (
        await fetchText(
          await videoPlaylistUrl(
            (
              await session({
                mode: "ON_DEMAND",
                timestampType: "PRODUCER_TIMESTAMP",
                range: producerRange,
                ...variables,
              })
            ).url,
          ),
        )
      ).text;
    expect(await text({})).not.toContain("#EXT-X-DISCONTINUITY\n");
    const always = await text({ discontinuityMode: "ALWAYS", displayFragmentTimestamp: true });
    expect(always.split("\n").filter((l) => l === "#EXT-X-DISCONTINUITY")).toHaveLength(
      sample.clusters.length - 1,
    );
    expect(always).toContain(`#EXT-X-PROGRAM-DATE-TIME:${new Date(T0).toISOString()}`);
  });

  it("falls back from LIVE to LIVE_REPLAY from the newest fragment when asked, and says so", async () => {
    offsetMs = 40_000; // kvs-local's clock: the sample arrived 40 s ago
    try {
      expect(await playback({})).toMatchObject({
        __typename: "ResourceNotFound",
        code: "ResourceNotFoundException",
      });
      const fallback = await session({ replayFallback: true });
      expect(fallback.mode).toBe("LIVE_REPLAY");
      const newest = stack.kvs.store.latestFragment(
        stack.kvs.store.getStreamByName("sample")?.streamArn ?? "",
      );
      expect(fallback.replayFrom).toBe(new Date(newest?.serverTimestampMs ?? 0).toISOString());
      const media = await fetchText(await videoPlaylistUrl(fallback.url));
      expect(playlistUris(fallback.url, media.text)[0]?.searchParams.get("FragmentNumber")).toBe(
        newest?.fragmentNumber,
      );
    } finally {
      offsetMs = 0;
    }
  });
});

describe("playback errors", () => {
  it("answers InvalidArgument before any session call", async () => {
    const calls = sessionCalls();
    const cases: Array<[Variables, string]> = [
      [{ range: producerRange }, "range"],
      [{ mode: "ON_DEMAND" }, "range"],
      [{ mode: "ON_DEMAND", range: { start: producerRange.start } }, "range"],
      [
        {
          mode: "ON_DEMAND",
          range: { start: producerRange.start, end: new Date(T0 + 86_400_001).toISOString() },
        },
        "range",
      ],
      [
        {
          mode: "ON_DEMAND",
          range: {
            start: new Date().toISOString(),
            end: new Date(Date.now() + 60_000).toISOString(),
          },
        },
        "range",
      ],
      [{ expiresIn: 299 }, "expiresIn"],
      [{ expiresIn: 43_201 }, "expiresIn"],
      [{ maxFragments: 5_001 }, "maxFragments"],
      [{ protocol: "DASH", containerFormat: "MPEG_TS" }, "containerFormat"],
      [{ protocol: "DASH", discontinuityMode: "ALWAYS" }, "discontinuityMode"],
      [{ protocol: "HLS", displayFragmentNumber: true }, "displayFragmentNumber"],
      [
        {
          mode: "ON_DEMAND",
          range: producerRange,
          timestampType: "PRODUCER_TIMESTAMP",
          replayFallback: true,
        },
        "replayFallback",
      ],
    ];
    for (const [variables, argument] of cases) {
      expect(await playback(variables), JSON.stringify(variables)).toMatchObject({
        __typename: "InvalidArgument",
        argument,
      });
    }
    expect(sessionCalls()).toBe(calls);
  });

  it("answers ResourceNotFound, NoDataRetention and the codec errors as kvs-local raises them", async () => {
    const onDemand: Variables = {
      mode: "ON_DEMAND",
      timestampType: "PRODUCER_TIMESTAMP",
      range: producerRange,
    };
    expect(
      await playback({
        ...onDemand,
        range: { start: new Date(T0 - 60_000).toISOString(), end: new Date(T0 - 1).toISOString() },
      }),
    ).toMatchObject({ __typename: "ResourceNotFound" });
    const unknown = await executeHttp(stack.graphqlUrl, PlaybackQuery, { name: "no-such-stream" });
    expect(unknown.data?.playback).toMatchObject({ __typename: "ResourceNotFound" });
    await createStreams(stack.kvs.endpoint, ["keeps-nothing"], { dataRetentionInHours: 0 });
    expect(await playback(onDemand, "keeps-nothing")).toMatchObject({
      __typename: "NoDataRetention",
    });
    // Over HLS, so G.711 is refused too.
    for (const { stream, tracks, error } of codecErrorCases()) {
      await createStreams(stack.kvs.endpoint, [stream]);
      await ingestAt(stack.kvs.endpoint, stream, twoFragmentsWith(tracks), T0);
      expect(await playback(onDemand, stream), stream).toMatchObject({ __typename: error });
    }
  });

  it("answers ClientLimitExceeded, NotAuthorized and UpstreamUnavailable from the session call", async () => {
    const onDemand: Variables = {
      mode: "ON_DEMAND",
      timestampType: "PRODUCER_TIMESTAMP",
      range: producerRange,
    };
    stack.kvs.faults.inject("GetHLSStreamingSessionURL", {
      kind: "exception",
      exception: "ClientLimitExceededException",
    });
    expect(await playback(onDemand)).toMatchObject({
      __typename: "ClientLimitExceeded",
      retryable: true,
    });
    stack.kvs.faults.inject("GetDASHStreamingSessionURL", {
      kind: "exception",
      exception: "NotAuthorizedException",
    });
    expect(await playback({ ...onDemand, protocol: "DASH" })).toMatchObject({
      __typename: "NotAuthorized",
    });
    stack.kvs.faults.inject("GetHLSStreamingSessionURL", { kind: "status", status: 500 });
    expect(await playback(onDemand)).toMatchObject({
      __typename: "UpstreamUnavailable",
      retryable: true,
    });
  });
});
