// GetClip's track rules (API reference): track 1 is H.264 (V_MPEG4/ISO/AVC) or H.265
// (V_MPEGH/ISO/HEVC); an optional track 2 is AAC (A_AAC) or G.711 (A_MS/ACM with an A-law or
// mu-law WAVEFORMATEX). Anything else is answered with the exception the API documents.
import { KvsServiceError } from "../../errors.ts";
import type { StoredTrack } from "../../store/types.ts";

export type ClipVideoCodec = "avc" | "hevc";
export type ClipAudioCodec = "aac" | "alaw" | "ulaw";

export interface ClipTrackPlan {
  video: { trackNumber: number; codec: ClipVideoCodec; codecPrivate: Uint8Array };
  audio?: {
    trackNumber: number;
    codec: ClipAudioCodec;
    codecPrivate: Uint8Array;
    sampleRate: number;
    channels: number;
  };
}

export const unsupported = (message: string) =>
  new KvsServiceError("UnsupportedStreamMediaTypeException", message);
const missingPrivate = (track: number) =>
  new KvsServiceError(
    "MissingCodecPrivateDataException",
    `No codec private data was found in track ${track}.`,
  );
const invalidPrivate = (track: number, why: string) =>
  new KvsServiceError(
    "InvalidCodecPrivateDataException",
    `The codec private data of track ${track} is not valid for this operation: ${why}.`,
  );

/** AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1): version 1, ≥1 SPS, lengths in bounds. */
function avcConfigProblem(cp: Uint8Array): string | undefined {
  if (cp.length < 7 || cp[0] !== 1) return "not an AVCDecoderConfigurationRecord";
  let at = 5;
  const spsCount = (cp[at++] as number) & 0x1f;
  if (spsCount === 0) return "no sequence parameter set";
  for (let i = 0; i < spsCount; i++) {
    if (at + 2 > cp.length) return "truncated SPS";
    at += 2 + (((cp[at] as number) << 8) | (cp[at + 1] as number));
  }
  if (at >= cp.length) return "no picture parameter set count";
  const ppsCount = cp[at++] as number;
  for (let i = 0; i < ppsCount; i++) {
    if (at + 2 > cp.length) return "truncated PPS";
    at += 2 + (((cp[at] as number) << 8) | (cp[at + 1] as number));
  }
  return at > cp.length ? "parameter set runs past the record" : undefined;
}

/** HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1): 23-byte head, NAL arrays in bounds. */
function hevcConfigProblem(cp: Uint8Array): string | undefined {
  if (cp.length < 23 || cp[0] !== 1) return "not an HEVCDecoderConfigurationRecord";
  let at = 22;
  const arrays = cp[at++] as number;
  for (let i = 0; i < arrays; i++) {
    if (at + 3 > cp.length) return "truncated NAL unit array";
    const nalus = ((cp[at + 1] as number) << 8) | (cp[at + 2] as number);
    at += 3;
    for (let j = 0; j < nalus; j++) {
      if (at + 2 > cp.length) return "truncated NAL unit";
      at += 2 + (((cp[at] as number) << 8) | (cp[at + 1] as number));
    }
  }
  return at > cp.length ? "NAL unit runs past the record" : undefined;
}

/** AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1): an object type and a sampling frequency. */
function aacConfigProblem(cp: Uint8Array): string | undefined {
  if (cp.length < 2) return "AudioSpecificConfig shorter than 2 bytes";
  const objectType = (cp[0] as number) >> 3;
  const frequencyIndex = (((cp[0] as number) & 0x07) << 1) | ((cp[1] as number) >> 7);
  if (objectType === 0) return "audio object type 0";
  if (frequencyIndex === 15 ? cp.length < 5 : frequencyIndex > 12) return "bad sampling frequency";
  return undefined;
}

const WAVE_FORMAT_ALAW = 6;
const WAVE_FORMAT_MULAW = 7;

export function planAudio(track: StoredTrack): NonNullable<ClipTrackPlan["audio"]> {
  const cp = track.codecPrivate;
  const n = track.trackNumber;
  if (track.codecId.startsWith("A_AAC")) {
    if (!cp || cp.length === 0) throw missingPrivate(n);
    const problem = aacConfigProblem(cp);
    if (problem) throw invalidPrivate(n, problem);
    return {
      trackNumber: n,
      codec: "aac",
      codecPrivate: cp,
      sampleRate: track.samplingFrequency ?? 0,
      channels: track.channels ?? 0,
    };
  }
  if (track.codecId === "A_MS/ACM") {
    // WAVEFORMATEX: wFormatTag, nChannels, nSamplesPerSec, …, wBitsPerSample (little-endian).
    if (!cp || cp.length === 0) throw missingPrivate(n);
    if (cp.length < 16) throw invalidPrivate(n, "WAVEFORMATEX shorter than 16 bytes");
    const view = new DataView(cp.buffer, cp.byteOffset, cp.byteLength);
    const format = view.getUint16(0, true);
    if (format !== WAVE_FORMAT_ALAW && format !== WAVE_FORMAT_MULAW) {
      throw unsupported(`Track ${n} is A_MS/ACM with format tag ${format}, not G.711.`);
    }
    const channels = view.getUint16(2, true);
    const sampleRate = view.getUint32(4, true);
    if (channels === 0 || sampleRate === 0) throw invalidPrivate(n, "no channels or sample rate");
    return {
      trackNumber: n,
      codec: format === WAVE_FORMAT_ALAW ? "alaw" : "ulaw",
      codecPrivate: cp,
      sampleRate,
      channels,
    };
  }
  throw unsupported(
    `The codec ID of track ${n} is ${track.codecId}; it should be A_AAC or A_MS/ACM (G.711).`,
  );
}

export function planClipTracks(tracks: readonly StoredTrack[]): ClipTrackPlan {
  const first = tracks.find((t) => t.trackNumber === 1);
  const codec: ClipVideoCodec | undefined =
    first?.codecId === "V_MPEG4/ISO/AVC"
      ? "avc"
      : first?.codecId === "V_MPEGH/ISO/HEVC"
        ? "hevc"
        : undefined;
  if (!first || !codec) {
    throw unsupported(
      `The codec ID of track 1 is ${first?.codecId ?? "missing"}; it should be V_MPEG4/ISO/AVC or V_MPEGH/ISO/HEVC.`,
    );
  }
  const cp = first.codecPrivate;
  if (!cp || cp.length === 0) throw missingPrivate(1);
  const problem = codec === "avc" ? avcConfigProblem(cp) : hevcConfigProblem(cp);
  if (problem) throw invalidPrivate(1, problem);

  const plan: ClipTrackPlan = { video: { trackNumber: 1, codec, codecPrivate: cp } };
  const second = tracks.find((t) => t.trackNumber === 2);
  const audio = second ? planAudio(second) : undefined;
  if (audio) plan.audio = audio;
  return plan;
}

/** Whether two headers give the same clip tracks (one MP4 holds one sample description per track). */
export function sameClipTracks(a: ClipTrackPlan, b: ClipTrackPlan): boolean {
  const bytesEqual = (x: Uint8Array, y: Uint8Array) =>
    x.length === y.length && x.every((v, i) => v === y[i]);
  if (a.video.codec !== b.video.codec) return false;
  if (!bytesEqual(a.video.codecPrivate, b.video.codecPrivate)) return false;
  if (!a.audio || !b.audio) return !a.audio && !b.audio;
  return (
    a.audio.codec === b.audio.codec &&
    a.audio.sampleRate === b.audio.sampleRate &&
    a.audio.channels === b.audio.channels &&
    bytesEqual(a.audio.codecPrivate, b.audio.codecPrivate)
  );
}
