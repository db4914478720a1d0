// Playback: `Stream.playback` and `playback(name|arn)` hand a browser or player an HLS or DASH
// session URL that points at KVS itself (no AWS credentials in the browser), with its expiry so a
// client can ask again in time. Arguments are checked as KVS checks them, before any call.

import type { ArgBuilder } from "@pothos/core";
import type { StreamDescription } from "../../kvs/core/streams.ts";
import {
  checkPlaybackArgs,
  PLAYBACK_DEFAULT_EXPIRES_SECONDS,
  PLAYBACK_MAX_EXPIRES_SECONDS,
  PLAYBACK_MIN_EXPIRES_SECONDS,
  type PlaybackRequest,
} from "../../kvs/playback/request.ts";
import { type PlaybackSessionAnswer, requestPlaybackSession } from "../../kvs/playback/session.ts";
import type { GatewayContext } from "../context.ts";
import { type BuilderTypes, builder } from "./builder.ts";
import { errorsOf } from "./errors.ts";
import { loadStream, StreamObject, streamRefArgs } from "./streams.ts";
import { TimestampTypeEnum } from "./time.ts";

const PlaybackProtocolEnum = builder.enumType("PlaybackProtocol", {
  values: {
    HLS: {
      description: "HTTP Live Streaming (GetHLSStreamingSessionURL): hls.js, Safari, ffmpeg, VLC.",
    },
    DASH: { description: "MPEG-DASH (GetDASHStreamingSessionURL): dash.js, Shaka Player, ffmpeg." },
  } as const,
});

const PlaybackModeEnum = builder.enumType("PlaybackMode", {
  values: {
    LIVE: {
      description: "The newest fragments, as they arrive. Needs a fragment in the last 30 seconds.",
    },
    LIVE_REPLAY: {
      description:
        "From range.start, each fragment added once the previous one's duration has passed; up to range.end, or on live without one.",
    },
    ON_DEMAND: {
      description:
        "A fixed playlist over range (at most 24 hours; 1,000 fragments by default, at most 5,000).",
    },
  } as const,
});

const ContainerFormatEnum = builder.enumType("PlaybackContainerFormat", {
  values: {
    FRAGMENTED_MP4: { description: "fMP4 segments (HLS and DASH)." },
    MPEG_TS: { description: "MPEG-TS segments (HLS only), for older players." },
  } as const,
});

const DiscontinuityModeEnum = builder.enumType("PlaybackDiscontinuityMode", {
  values: {
    ALWAYS: { description: "A discontinuity marker between every two fragments." },
    NEVER: { description: "No markers: the player's timeline follows the fragment timestamps." },
    ON_DISCONTINUITY: {
      description: "A marker where fragments leave a gap or overlap of more than 50 ms.",
    },
  } as const,
});

const PlaybackRangeInput = builder.inputType("PlaybackRange", {
  description:
    "Where playback starts and (ON_DEMAND, optionally LIVE_REPLAY) ends; both inclusive, on fragment starts.",
  fields: (t) => ({
    start: t.field({ type: "DateTime", required: true }),
    end: t.field({ type: "DateTime", required: false }),
  }),
});

const PlaybackSessionObject = builder
  .objectRef<PlaybackSessionAnswer>("PlaybackSession")
  .implement({
    description:
      "A KVS streaming session: its URL plays in any HLS or DASH player without AWS credentials until `expiresAt`. Ask again before then to keep playing.",
    fields: (t) => ({
      url: t.exposeString("url", {
        description:
          "The session URL on the stream's KVS data endpoint (the master playlist or the manifest), with its session token.",
      }),
      protocol: t.field({ type: PlaybackProtocolEnum, resolve: (s) => s.request.protocol }),
      mode: t.field({
        type: PlaybackModeEnum,
        description:
          "The session's mode: LIVE_REPLAY when a LIVE request fell back (see `replayFrom`).",
        resolve: (s) => s.request.mode,
      }),
      timestampType: t.field({ type: TimestampTypeEnum, resolve: (s) => s.request.timestampType }),
      expiresAt: t.field({
        type: "DateTime",
        description:
          "When KVS stops serving the session (from just before the session was requested).",
        resolve: (s) => s.expiresAt,
      }),
      replayFrom: t.field({
        type: "DateTime",
        nullable: true,
        description:
          "Set when LIVE met ResourceNotFound (no fragment in the last 30 s) and `replayFallback` was asked for: the session replays from this newest fragment and goes on live.",
        resolve: (s) => s.replayFrom ?? null,
      }),
    }),
  });

function playbackArgs(arg: ArgBuilder<BuilderTypes>) {
  return {
    protocol: arg({ type: PlaybackProtocolEnum, defaultValue: "HLS" }),
    mode: arg({ type: PlaybackModeEnum, defaultValue: "LIVE" }),
    range: arg({
      type: PlaybackRangeInput,
      description: "Not with LIVE; required for ON_DEMAND and LIVE_REPLAY.",
    }),
    timestampType: arg({ type: TimestampTypeEnum, defaultValue: "SERVER_TIMESTAMP" }),
    expiresIn: arg.int({
      description: `Seconds the session lives, ${PLAYBACK_MIN_EXPIRES_SECONDS} to ${PLAYBACK_MAX_EXPIRES_SECONDS} (default ${PLAYBACK_DEFAULT_EXPIRES_SECONDS}; KVS's own default is 300).`,
    }),
    maxFragments: arg.int({
      description:
        "Fragments per playlist or manifest, 1 to 5,000 (KVS's default: 5 for the live modes, 1,000 for ON_DEMAND).",
    }),
    containerFormat: arg({
      type: ContainerFormatEnum,
      description: "HLS only (default FRAGMENTED_MP4).",
    }),
    discontinuityMode: arg({
      type: DiscontinuityModeEnum,
      description:
        "HLS only. Default ON_DISCONTINUITY with SERVER_TIMESTAMP (so players survive gaps), NEVER with PRODUCER_TIMESTAMP.",
    }),
    displayFragmentTimestamp: arg.boolean({
      description: "HLS: EXT-X-PROGRAM-DATE-TIME per fragment; DASH: kvs:ts on each S element.",
    }),
    displayFragmentNumber: arg.boolean({
      description: "DASH only: kvs:fn (the fragment number) on each S element.",
    }),
    replayFallback: arg.boolean({
      description:
        "LIVE only: when no fragment arrived in the last 30 s, replay from the newest fragment of the last hour instead of answering ResourceNotFound.",
    }),
  };
}

const PLAYBACK_DESCRIPTION = [
  "An HLS or DASH streaming session URL for the stream (GetHLSStreamingSessionURL / GetDASHStreamingSessionURL), for a player to fetch from KVS directly.",
  "Checked before any call: no range with LIVE; ON_DEMAND needs range.start and range.end, LIVE_REPLAY range.start; range.end later than range.start, within 24 hours of it and in the past with SERVER_TIMESTAMP; expiresIn from 300 to 43,200 s; HLS-only and DASH-only options only with their protocol.",
  "Codecs: track 1 H.264 or H.265 (or AAC alone), track 2 AAC (DASH also G.711). Browsers play H.264 + AAC; Chrome and Firefox do not play H.265 this way.",
].join("\n\n");

const PLAYBACK_ERRORS = errorsOf(
  "GetHLSStreamingSessionURL",
  "GetDASHStreamingSessionURL",
  "ListFragments",
);

async function resolvePlayback(
  stream: StreamDescription,
  request: PlaybackRequest,
  context: GatewayContext,
) {
  return requestPlaybackSession(
    {
      clients: context.services.clients,
      endpoints: context.endpoints,
      streamArn: stream.arn,
      signal: context.signal,
      spend: () => context.budget.spend(),
    },
    request,
  );
}

builder.objectField(StreamObject, "playback", (t) =>
  t.field({
    type: PlaybackSessionObject,
    nullable: true,
    description: PLAYBACK_DESCRIPTION,
    args: playbackArgs(t.arg),
    errors: { types: PLAYBACK_ERRORS, union: { name: "StreamPlaybackResult" } },
    resolve: (stream, args, context) => resolvePlayback(stream, checkPlaybackArgs(args), context),
  }),
);

builder.queryField("playback", (t) =>
  t.field({
    type: PlaybackSessionObject,
    nullable: true,
    description: `${PLAYBACK_DESCRIPTION}\n\nThe stream is given by \`name\` or \`arn\` (exactly one).`,
    args: { ...streamRefArgs(t.arg), ...playbackArgs(t.arg) },
    errors: {
      types: errorsOf(
        "DescribeStream",
        "GetHLSStreamingSessionURL",
        "GetDASHStreamingSessionURL",
        "ListFragments",
      ),
      union: { name: "PlaybackResult" },
    },
    resolve: async (_root, args, context) => {
      const request = checkPlaybackArgs(args);
      return resolvePlayback(await loadStream(args, context), request, context);
    },
  }),
);
