// The codec rules of HLS and DASH sessions (API reference, GetHLSStreamingSessionURL and
// GetDASHStreamingSessionURL): track 1 is H.264 or H.265 with an optional AAC track 2, or track 1
// is AAC alone (audio-only); DASH also takes G.711 in track 2. Codec private data is checked as
// for GetClip, with the same exceptions.

import type { StoredTrack } from "../../store/types.ts";
import {
  type ClipAudioCodec,
  type ClipVideoCodec,
  planAudio,
  planClipTracks,
  unsupported,
} from "../clip/clip-tracks.ts";
import type { PlaybackProtocol } from "./session-request.ts";

export interface PlaybackVideoTrack {
  kind: "video";
  trackNumber: number;
  codec: ClipVideoCodec;
  codecPrivate: Uint8Array;
  width?: number;
  height?: number;
}

export interface PlaybackAudioTrack {
  kind: "audio";
  trackNumber: number;
  codec: ClipAudioCodec;
  codecPrivate: Uint8Array;
  sampleRate: number;
  channels: number;
}

export type PlaybackTrack = PlaybackVideoTrack | PlaybackAudioTrack;

/** The session's tracks, video first; each becomes its own HLS media playlist / DASH AdaptationSet. */
export interface PlaybackTrackPlan {
  tracks: PlaybackTrack[];
}

export function planPlaybackTracks(
  protocol: PlaybackProtocol,
  stored: readonly StoredTrack[],
): PlaybackTrackPlan {
  const first = stored.find((t) => t.trackNumber === 1);
  if (first?.codecId.startsWith("A_AAC")) {
    return { tracks: [{ kind: "audio", ...planAudio(first) }] };
  }
  const clip = planClipTracks(stored);
  const videoTrack = stored.find((t) => t.trackNumber === clip.video.trackNumber);
  const video: PlaybackVideoTrack = {
    kind: "video",
    ...clip.video,
    ...(videoTrack?.pixelWidth !== undefined ? { width: videoTrack.pixelWidth } : {}),
    ...(videoTrack?.pixelHeight !== undefined ? { height: videoTrack.pixelHeight } : {}),
  };
  if (!clip.audio) return { tracks: [video] };
  if (protocol === "HLS" && clip.audio.codec !== "aac") {
    throw unsupported(
      `Track 2 is G.711 (${clip.audio.codec}); HLS sessions take AAC audio only (DASH sessions take G.711).`,
    );
  }
  return { tracks: [video, { kind: "audio", ...clip.audio }] };
}

/** Same track numbers and codecs: a fragment whose header differs otherwise can't join the session. */
export function sameTrackLayout(a: PlaybackTrackPlan, b: PlaybackTrackPlan): boolean {
  return (
    a.tracks.length === b.tracks.length &&
    a.tracks.every((t, i) => {
      const u = b.tracks[i];
      return (
        u !== undefined &&
        u.trackNumber === t.trackNumber &&
        u.kind === t.kind &&
        u.codec === t.codec
      );
    })
  );
}
