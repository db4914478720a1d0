// GetClip's track rules: which codecs pass and which exception answers the rest.
import { describe, expect, it } from "vitest";
import { planClipTracks } from "../../../src/local-kvs/archived-media/clip/clip-tracks.ts";
import { KvsServiceError } from "../../../src/local-kvs/errors.ts";
import type { StoredTrack } from "../../../src/local-kvs/store/types.ts";
import { demoSample } from "../../support/mkv.ts";

const avc = (): StoredTrack => ({
  trackNumber: 1,
  trackType: 1,
  codecId: "V_MPEG4/ISO/AVC",
  codecPrivate: demoSample().videoCodecPrivate,
});
const aac = (): StoredTrack => ({
  trackNumber: 2,
  trackType: 2,
  codecId: "A_AAC",
  codecPrivate: demoSample().audioCodecPrivate,
  samplingFrequency: 44100,
  channels: 1,
});

function waveFormat(tag: number, channels = 1, rate = 8000): Uint8Array {
  const bytes = new Uint8Array(18);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, tag, true);
  view.setUint16(2, channels, true);
  view.setUint32(4, rate, true);
  view.setUint32(8, rate * channels, true);
  view.setUint16(12, channels, true);
  view.setUint16(14, 8, true);
  return bytes;
}

function exceptionOf(tracks: StoredTrack[]): string | undefined {
  try {
    planClipTracks(tracks);
    return undefined;
  } catch (error) {
    if (error instanceof KvsServiceError) return error.exception;
    throw error;
  }
}

describe("planClipTracks", () => {
  it("accepts H.264 alone, H.264 + AAC and H.264 + G.711", () => {
    expect(planClipTracks([avc()]).audio).toBeUndefined();
    expect(planClipTracks([avc(), aac()]).audio?.codec).toBe("aac");
    const alaw = { ...aac(), codecId: "A_MS/ACM", codecPrivate: waveFormat(6) };
    const mulaw = { ...aac(), codecId: "A_MS/ACM", codecPrivate: waveFormat(7, 2, 16000) };
    expect(planClipTracks([avc(), alaw]).audio).toMatchObject({ codec: "alaw", sampleRate: 8000 });
    expect(planClipTracks([avc(), mulaw]).audio).toMatchObject({ codec: "ulaw", channels: 2 });
  });

  it("accepts an H.265 track 1 with a valid configuration record", () => {
    const hvcc = new Uint8Array(23);
    hvcc[0] = 1;
    const plan = planClipTracks([
      { trackNumber: 1, trackType: 1, codecId: "V_MPEGH/ISO/HEVC", codecPrivate: hvcc },
    ]);
    expect(plan.video.codec).toBe("hevc");
  });

  it("answers each documented exception", () => {
    expect(exceptionOf([{ ...avc(), codecId: "V_VP8" }])).toBe(
      "UnsupportedStreamMediaTypeException",
    );
    expect(exceptionOf([{ ...avc(), trackNumber: 2 }])).toBe("UnsupportedStreamMediaTypeException");
    expect(exceptionOf([avc(), { ...aac(), codecId: "A_OPUS" }])).toBe(
      "UnsupportedStreamMediaTypeException",
    );
    expect(
      exceptionOf([avc(), { ...aac(), codecId: "A_MS/ACM", codecPrivate: waveFormat(1) }]),
    ).toBe("UnsupportedStreamMediaTypeException");
    const { codecPrivate: _dropped, ...noPrivate } = avc();
    expect(exceptionOf([noPrivate])).toBe("MissingCodecPrivateDataException");
    expect(exceptionOf([avc(), { ...aac(), codecPrivate: new Uint8Array(0) }])).toBe(
      "MissingCodecPrivateDataException",
    );
    expect(exceptionOf([{ ...avc(), codecPrivate: Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7) }])).toBe(
      "InvalidCodecPrivateDataException",
    );
    const truncated = demoSample().videoCodecPrivate.subarray(0, 12);
    expect(exceptionOf([{ ...avc(), codecPrivate: truncated }])).toBe(
      "InvalidCodecPrivateDataException",
    );
    expect(exceptionOf([avc(), { ...aac(), codecPrivate: Uint8Array.of(0, 0) }])).toBe(
      "InvalidCodecPrivateDataException",
    );
  });
});
