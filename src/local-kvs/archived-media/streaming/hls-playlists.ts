// The HLS playlists of a session (RFC 8216). Fragmented MP4: one media playlist per track (the
// video playlist in EXT-X-STREAM-INF, AAC audio as an EXT-X-MEDIA rendition), each with its init
// segment in EXT-X-MAP, re-announced where the producer's header (codec private data) changes.
// MPEG-TS: one media playlist of segments that carry every track. URIs are relative to the
// playlist, so they resolve under the session URL's /hls/v1/.
import type { PlaybackSession } from "./playback-sessions.ts";
import type { PlaybackTrack } from "./playback-tracks.ts";
import type { TimelineEntry } from "./session-timeline.ts";

const VERSION = 7;

const query = (session: PlaybackSession, params: Record<string, string | number> = {}) => {
  const search = new URLSearchParams({ SessionToken: session.token });
  for (const [key, value] of Object.entries(params)) search.set(key, String(value));
  return search.toString();
};

/** Bits per second over the fragments shown, for BANDWIDTH (the stream's, all tracks). */
export function estimatedBandwidth(entries: readonly TimelineEntry[]): number {
  let bytes = 0;
  let ms = 0;
  for (const { fragment } of entries) {
    bytes += fragment.sizeBytes;
    ms += fragment.durationMs;
  }
  return ms > 0 ? Math.max(1, Math.ceil((bytes * 8 * 1000) / ms)) : 1;
}

export function masterPlaylist(session: PlaybackSession): string {
  const lines = ["#EXTM3U", `#EXT-X-VERSION:${VERSION}`, "#EXT-X-INDEPENDENT-SEGMENTS"];
  const bandwidth = estimatedBandwidth(session.timeline.window());
  const tracks = session.plan.tracks;
  const codecs = tracks
    .map((t) => session.codecs.get(t.trackNumber))
    .filter(Boolean)
    .join(",");
  const video = tracks.find((t) => t.kind === "video");
  const resolution =
    video?.kind === "video" && video.width && video.height
      ? `,RESOLUTION=${video.width}x${video.height}`
      : "";
  if (session.request.containerFormat === "MPEG_TS") {
    lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=${bandwidth},CODECS="${codecs}"${resolution}`);
    lines.push(`getHLSMediaPlaylist.m3u8?${query(session)}`);
    return `${lines.join("\n")}\n`;
  }
  const main = tracks[0] as PlaybackTrack;
  const audio = tracks.find((t) => t.kind === "audio" && t !== main);
  if (audio) {
    lines.push(
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Track ${audio.trackNumber}",DEFAULT=YES,AUTOSELECT=YES,URI="getHLSMediaPlaylist.m3u8?${query(session, { TrackNumber: audio.trackNumber })}"`,
    );
  }
  lines.push(
    `#EXT-X-STREAM-INF:BANDWIDTH=${bandwidth},CODECS="${codecs}"${resolution}${audio ? ',AUDIO="audio"' : ""}`,
  );
  lines.push(`getHLSMediaPlaylist.m3u8?${query(session, { TrackNumber: main.trackNumber })}`);
  return `${lines.join("\n")}\n`;
}

/** `trackNumber` is undefined for MPEG-TS (all tracks in each segment). */
export function mediaPlaylist(session: PlaybackSession, trackNumber: number | undefined): string {
  const entries = session.timeline.window();
  const first = entries[0];
  const target = Math.max(1, Math.ceil(session.timeline.longestFragmentMs / 1000));
  const lines = [
    "#EXTM3U",
    `#EXT-X-VERSION:${VERSION}`,
    `#EXT-X-TARGETDURATION:${target}`,
    `#EXT-X-MEDIA-SEQUENCE:${first?.sequence ?? 0}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${first?.discontinuitySequence ?? 0}`,
  ];
  if (session.request.mode === "ON_DEMAND") lines.push("#EXT-X-PLAYLIST-TYPE:VOD");
  let headerId: string | undefined;
  for (const [i, entry] of entries.entries()) {
    if (i > 0 && entry.discontinuity) lines.push("#EXT-X-DISCONTINUITY");
    if (trackNumber !== undefined && entry.fragment.headerId !== headerId) {
      headerId = entry.fragment.headerId;
      const init = query(session, {
        TrackNumber: trackNumber,
        FragmentNumber: entry.fragment.fragmentNumber,
      });
      lines.push(`#EXT-X-MAP:URI="getMP4InitFragment.mp4?${init}"`);
    }
    if (session.request.displayFragmentTimestamp) {
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(entry.timestampMs).toISOString()}`);
    }
    lines.push(`#EXTINF:${(entry.fragment.durationMs / 1000).toFixed(3)},`);
    lines.push(
      trackNumber === undefined
        ? `getTSFragment.ts?${query(session, { FragmentNumber: entry.fragment.fragmentNumber })}`
        : `getMP4MediaFragment.mp4?${query(session, { TrackNumber: trackNumber, FragmentNumber: entry.fragment.fragmentNumber })}`,
    );
  }
  if (session.timeline.ended) lines.push("#EXT-X-ENDLIST");
  return `${lines.join("\n")}\n`;
}
