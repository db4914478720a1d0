// The session resources a player GETs with the session token (not SDK operations): under
// /hls/v1/ GetHLSMasterPlaylist, GetHLSMediaPlaylist, GetMP4InitFragment, GetMP4MediaFragment and
// GetTSFragment; under /dash/v1/ GetDASHManifest and the same MP4 fragments. Each playlist
// request first lets the session's timeline take in what its mode allows by now. Per session,
// playlists/manifests are limited to about 5 and fragments to about 10 requests a second, as
// KVS documents (ClientLimitExceededException). Answers carry CORS headers: a web player on any
// origin reads them, as from KVS.
import { invalidArgument, KvsServiceError, resourceNotFound } from "../../errors.ts";
import type { LocalKvsConfig } from "../../server/context.ts";
import type { RateLimiter } from "../../server/rate-limiter.ts";
import type { FragmentStore } from "../../store/types.ts";
import { checkString, FRAGMENT_NUMBER } from "../../validation.ts";
import { dashManifest } from "./dash-manifest.ts";
import { remuxFmp4, remuxTs } from "./fmp4-remux.ts";
import { readFragmentHeader, readTrackMedia } from "./fragment-media.ts";
import { masterPlaylist, mediaPlaylist } from "./hls-playlists.ts";
import type { PlaybackSession, PlaybackSessions } from "./playback-sessions.ts";
import { type PlaybackTrack, planPlaybackTracks, sameTrackLayout } from "./playback-tracks.ts";
import type { PlaybackProtocol } from "./session-request.ts";
import type { TimelineEntry } from "./session-timeline.ts";

export interface SessionResourceContext {
  readonly store: FragmentStore;
  readonly sessions: PlaybackSessions;
  readonly rates: RateLimiter;
  readonly config: LocalKvsConfig;
  readonly nowMs: number;
  readonly params: URLSearchParams;
}

export interface SessionResourceAnswer {
  contentType: string;
  body: Uint8Array | string;
}

type Resource = (
  ctx: SessionResourceContext,
  session: PlaybackSession,
) => Promise<SessionResourceAnswer>;

const M3U8 = "application/x-mpegURL";

function trackOf(ctx: SessionResourceContext, session: PlaybackSession): PlaybackTrack {
  const raw = ctx.params.get("TrackNumber");
  const number = raw !== null && /^[0-9]{1,2}$/.test(raw) ? Number(raw) : Number.NaN;
  const track = session.plan.tracks.find((t) => t.trackNumber === number);
  if (!track)
    throw invalidArgument(
      `TrackNumber must name one of the session's tracks (${session.plan.tracks.map((t) => t.trackNumber).join(", ")}).`,
    );
  return track;
}

/** The fragment a media request names: HLS by FragmentNumber, DASH by its $Number$. */
function entryOf(ctx: SessionResourceContext, session: PlaybackSession): TimelineEntry {
  const sequence = ctx.params.get("SequenceNumber");
  if (sequence !== null) {
    const entry = /^[0-9]{1,12}$/.test(sequence)
      ? session.timeline.bySequence(Number(sequence))
      : undefined;
    if (!entry) throw resourceNotFound(`Fragment ${sequence} of the session is not available.`);
    return entry;
  }
  const number = ctx.params.get("FragmentNumber");
  if (number === null) throw invalidArgument("FragmentNumber is required.");
  checkString("FragmentNumber", number, FRAGMENT_NUMBER);
  const entry = session.timeline.byFragmentNumber(number);
  if (!entry) throw resourceNotFound(`Fragment ${number} is not part of this session.`);
  return entry;
}

/** The stored fragment, still within retention and with the session's track layout. */
async function storedFragment(
  ctx: SessionResourceContext,
  session: PlaybackSession,
  entry: TimelineEntry,
) {
  const fragment = ctx.store.getFragment(session.streamArn, entry.fragment.fragmentNumber);
  if (!fragment)
    throw resourceNotFound(`Fragment ${entry.fragment.fragmentNumber} is no longer available.`);
  const header = await readFragmentHeader(ctx.store, fragment);
  const plan = planPlaybackTracks(session.request.protocol, header.tracks);
  if (!sameTrackLayout(plan, session.plan)) {
    throw new KvsServiceError(
      "UnsupportedStreamMediaTypeException",
      `Fragment ${fragment.fragmentNumber} changes the session's tracks or codecs.`,
    );
  }
  return { fragment, plan };
}

const timingOf = (entry: TimelineEntry) => ({
  startSec: entry.mediaStartMs / 1000,
  durationSec: entry.fragment.durationMs / 1000,
});

const initFragment: Resource = async (ctx, session) => {
  const track = trackOf(ctx, session);
  // HLS names the fragment whose header the init describes; DASH uses the session's first.
  const named = ctx.params.get("FragmentNumber");
  const entry = named === null ? session.timeline.first() : entryOf(ctx, session);
  if (!entry) throw resourceNotFound("The session has no fragments.");
  const key = `${track.trackNumber}:${entry.fragment.headerId}`;
  let init = session.inits.get(key);
  if (!init) {
    init = (async () => {
      const { fragment, plan } = await storedFragment(ctx, session, entry);
      const current = plan.tracks.find((t) => t.trackNumber === track.trackNumber) as PlaybackTrack;
      const media = await readTrackMedia(ctx.store, fragment, current);
      return (await remuxFmp4(current, media, timingOf(entry), entry.sequence)).init;
    })();
    session.inits.set(key, init);
    init.catch(() => session.inits.delete(key));
  }
  return { contentType: "video/mp4", body: await init };
};

const mediaFragment: Resource = async (ctx, session) => {
  const track = trackOf(ctx, session);
  const entry = entryOf(ctx, session);
  const { fragment, plan } = await storedFragment(ctx, session, entry);
  const current = plan.tracks.find((t) => t.trackNumber === track.trackNumber) as PlaybackTrack;
  const media = await readTrackMedia(ctx.store, fragment, current);
  const { segment } = await remuxFmp4(current, media, timingOf(entry), entry.sequence);
  return { contentType: "video/mp4", body: segment };
};

const tsFragment: Resource = async (ctx, session) => {
  if (session.request.containerFormat !== "MPEG_TS")
    throw invalidArgument("The session's ContainerFormat is FRAGMENTED_MP4.");
  const entry = entryOf(ctx, session);
  const { fragment, plan } = await storedFragment(ctx, session, entry);
  const tracks = [];
  for (const track of plan.tracks)
    tracks.push({ track, media: await readTrackMedia(ctx.store, fragment, track) });
  return { contentType: "video/MP2T", body: await remuxTs(tracks, timingOf(entry)) };
};

const refreshed = (ctx: SessionResourceContext, session: PlaybackSession) => {
  session.timeline.refresh(ctx.store, ctx.nowMs);
  return session;
};

const RESOURCES: Record<
  PlaybackProtocol,
  Record<string, { kind: "playlist" | "fragment"; serve: Resource }>
> = {
  HLS: {
    "getHLSMasterPlaylist.m3u8": {
      kind: "playlist",
      serve: async (ctx, s) => ({ contentType: M3U8, body: masterPlaylist(refreshed(ctx, s)) }),
    },
    "getHLSMediaPlaylist.m3u8": {
      kind: "playlist",
      serve: async (ctx, s) => {
        const track =
          s.request.containerFormat === "MPEG_TS" ? undefined : trackOf(ctx, s).trackNumber;
        return { contentType: M3U8, body: mediaPlaylist(refreshed(ctx, s), track) };
      },
    },
    "getMP4InitFragment.mp4": { kind: "fragment", serve: initFragment },
    "getMP4MediaFragment.mp4": { kind: "fragment", serve: mediaFragment },
    "getTSFragment.ts": { kind: "fragment", serve: tsFragment },
  },
  DASH: {
    "getDASHManifest.mpd": {
      kind: "playlist",
      serve: async (ctx, s) => ({
        contentType: "application/dash+xml",
        body: dashManifest(refreshed(ctx, s), ctx.nowMs),
      }),
    },
    "getMP4InitFragment.mp4": { kind: "fragment", serve: initFragment },
    "getMP4MediaFragment.mp4": { kind: "fragment", serve: mediaFragment },
  },
};

const PREFIXES: Record<string, PlaybackProtocol> = { "/hls/v1/": "HLS", "/dash/v1/": "DASH" };

/** The resource at `pathname`, or undefined when the path is none of the session resources. */
export function sessionResourceFor(pathname: string) {
  for (const [prefix, protocol] of Object.entries(PREFIXES)) {
    if (!pathname.startsWith(prefix)) continue;
    const resource = RESOURCES[protocol][pathname.slice(prefix.length)];
    return resource ? { protocol, ...resource } : undefined;
  }
  return undefined;
}

export function isSessionResourcePath(pathname: string): boolean {
  return Object.keys(PREFIXES).some((prefix) => pathname.startsWith(prefix));
}

/** Answers one session resource request, or throws a KvsServiceError. */
export async function serveSessionResource(
  ctx: SessionResourceContext,
  pathname: string,
): Promise<SessionResourceAnswer> {
  const resource = sessionResourceFor(pathname);
  if (!resource) throw resourceNotFound(`No such streaming session resource: ${pathname}`);
  const session = ctx.sessions.get(ctx.params.get("SessionToken"), ctx.nowMs);
  if (session.request.protocol !== resource.protocol) {
    throw invalidArgument(`The session is a ${session.request.protocol} session.`);
  }
  const perSecond =
    resource.kind === "playlist"
      ? ctx.config.playbackPlaylistRatePerSecond
      : ctx.config.playbackFragmentRatePerSecond;
  if (!ctx.rates.tryAcquire(`${resource.kind}:${session.token}`, perSecond, ctx.nowMs)) {
    throw new KvsServiceError(
      "ClientLimitExceededException",
      `Too many ${resource.kind} requests for this session; slow down and retry.`,
    );
  }
  if (!ctx.store.getStreamByArn(session.streamArn)) {
    throw resourceNotFound(`The stream ${session.streamName} no longer exists.`);
  }
  return resource.serve(ctx, session);
}
