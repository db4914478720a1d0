// GetHLSStreamingSessionURL and GetDASHStreamingSessionURL: everything the two share. The
// request is checked, the stream found, its first fragment's tracks checked against the codec
// rules, and the session's first fragments chosen, all before a URL is handed out.
import { KvsServiceError, resourceNotFound } from "../../errors.ts";
import { streamFromInput } from "../../operations/resolve-stream.ts";
import type { HandlerContext } from "../../server/context.ts";
import type { FragmentRecord, FragmentStore, StreamRecord } from "../../store/types.ts";
import { readFragmentHeader, readTrackMedia } from "./fragment-media.ts";
import type { PlaybackSession } from "./playback-sessions.ts";
import { planPlaybackTracks } from "./playback-tracks.ts";
import {
  type PlaybackProtocol,
  type PlaybackSessionRequest,
  readPlaybackSessionRequest,
} from "./session-request.ts";
import { orderForPlayback, SessionTimeline } from "./session-timeline.ts";

/** A LIVE session needs a fragment that arrived this recently (API reference, ResourceNotFound). */
export const LIVE_RECENT_MS = 30_000;

function initialFragments(
  store: FragmentStore,
  stream: StreamRecord,
  request: PlaybackSessionRequest,
  nowMs: number,
): FragmentRecord[] {
  if (request.mode === "LIVE") {
    const latest = store.latestFragment(stream.streamArn);
    if (!latest || latest.serverTimestampMs < nowMs - LIVE_RECENT_MS) {
      throw resourceNotFound(
        `No fragments were ingested into stream ${stream.streamName} in the last 30 seconds.`,
      );
    }
    // The newest fragments by arrival, whatever their producer timestamps say.
    return store.listFragments(stream.streamArn).slice(-request.maxFragments);
  }
  const inRange = store.listFragments(stream.streamArn, {
    by: request.by,
    fromMs: request.startMs ?? 0,
    toMs: request.endMs ?? Number.MAX_SAFE_INTEGER,
  });
  const ordered = orderForPlayback(inRange, request);
  if (ordered.length === 0)
    throw resourceNotFound("No fragments found in the requested time range.");
  return request.mode === "ON_DEMAND"
    ? ordered.slice(0, request.maxFragments)
    : ordered.slice(0, 1);
}

const SESSION_PATHS: Record<PlaybackProtocol, string> = {
  HLS: "/hls/v1/getHLSMasterPlaylist.m3u8",
  DASH: "/dash/v1/getDASHManifest.mpd",
};

/** Creates the session and answers its URL. */
export async function createPlaybackSession(
  ctx: HandlerContext,
  protocol: PlaybackProtocol,
): Promise<string> {
  const nowMs = ctx.clock.now();
  const request = readPlaybackSessionRequest(protocol, ctx.input, nowMs);
  const stream = streamFromInput(ctx.store, ctx.input);
  const rateKey = `${ctx.operation}:${stream.streamArn}`;
  if (!ctx.rates.tryAcquire(rateKey, ctx.config.playbackSessionRatePerSecond, nowMs)) {
    throw new KvsServiceError(
      "ClientLimitExceededException",
      `${ctx.operation} is limited per stream; slow down and retry.`,
    );
  }
  if (stream.dataRetentionInHours === 0) {
    throw new KvsServiceError(
      "NoDataRetentionException",
      `The stream ${stream.streamName} does not retain data (DataRetentionInHours is 0).`,
    );
  }
  const initial = initialFragments(ctx.store, stream, request, nowMs);
  const first = initial[0] as FragmentRecord;
  const header = await readFragmentHeader(ctx.store, first);
  const plan = planPlaybackTracks(protocol, header.tracks);
  const codecs = new Map<number, string>();
  for (const track of plan.tracks) {
    const media = await readTrackMedia(ctx.store, first, track);
    codecs.set(track.trackNumber, media.decoderConfig.codec);
  }
  const session: PlaybackSession = ctx.playbackSessions.add(
    {
      request,
      streamArn: stream.streamArn,
      streamName: stream.streamName,
      createdAtMs: nowMs,
      expiresAtMs: nowMs + request.expiresSeconds * 1000,
      plan,
      timeline: new SessionTimeline(request, initial, nowMs),
      codecs,
    },
    nowMs,
  );
  ctx.log(
    `${ctx.operation} ${stream.streamName}: ${request.mode} session, ${initial.length} fragments`,
  );
  return `${ctx.config.endpoint}${SESSION_PATHS[protocol]}?SessionToken=${session.token}`;
}
