// One KVS fragment's track as fragmented MP4, packets copied as they are (mediabunny's
// fragmented ISOBMFF muxer): the init segment (ftyp + moov, from the codec private data) and the
// media segment (one moof + mdat). Every fragment of a session gives the same init segment for a
// track (one codec configuration, the muxer's fixed timescales), so any fragment's init serves.
// G.711 has no MP4 sample entry; QuickTime (the same box structure) has `alaw`/`ulaw`.
import {
  BufferTarget,
  EncodedAudioPacketSource,
  type EncodedPacket,
  EncodedVideoPacketSource,
  MovOutputFormat,
  Mp4OutputFormat,
  MpegTsOutputFormat,
  Output,
} from "mediabunny";
import { KvsServiceError } from "../../errors.ts";
import type { TrackMedia } from "./fragment-media.ts";
import type { PlaybackTrack } from "./playback-tracks.ts";

export interface Fmp4Parts {
  /** ftyp + moov. */
  init: Uint8Array;
  /** moof + mdat. */
  segment: Uint8Array;
}

export interface SegmentTiming {
  /** Where the fragment starts on the session's media timeline (s). */
  startSec: number;
  /** The fragment's duration (s): the last packet of a Cluster often has none of its own. */
  durationSec: number;
}

/** Packets placed on the session timeline, a video track opening on a key frame. */
export function placePackets(
  track: PlaybackTrack,
  packets: readonly EncodedPacket[],
  timing: SegmentTiming,
) {
  const firstKey = track.kind === "video" ? packets.findIndex((p) => p.type === "key") : 0;
  const usable = firstKey < 0 ? [] : packets.slice(firstKey);
  const earliest = Math.min(...usable.map((p) => p.timestamp));
  // Blocks before their Cluster's start (negative relative timecodes) would land before 0.
  const shift = timing.startSec + Math.max(0, -(timing.startSec + earliest));
  let lastDuration = 0;
  return usable.map((packet, i) => {
    const next = usable[i + 1];
    let duration = packet.duration;
    if (!(duration > 0)) {
      duration = next ? next.timestamp - packet.timestamp : timing.durationSec - packet.timestamp;
      if (!(duration > 0)) duration = lastDuration;
    }
    lastDuration = duration;
    // Matroska blocks carry no key flag for audio; every audio packet decodes on its own.
    const type = track.kind === "audio" ? "key" : packet.type;
    return packet.clone({ timestamp: packet.timestamp + shift, duration, type });
  });
}

function readBoxes(bytes: Uint8Array): Array<{ type: string; start: number; end: number }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: Array<{ type: string; start: number; end: number }> = [];
  let at = 0;
  while (at + 8 <= bytes.length) {
    let size = view.getUint32(at);
    if (size === 1) size = Number(view.getBigUint64(at + 8));
    else if (size === 0) size = bytes.length - at;
    if (size < 8 || at + size > bytes.length) break;
    boxes.push({
      type: String.fromCharCode(...bytes.subarray(at + 4, at + 8)),
      start: at,
      end: at + size,
    });
    at += size;
  }
  return boxes;
}

function concatBoxes(
  bytes: Uint8Array,
  boxes: readonly { start: number; end: number }[],
): Uint8Array {
  const out = new Uint8Array(boxes.reduce((n, b) => n + b.end - b.start, 0));
  let at = 0;
  for (const box of boxes) {
    out.set(bytes.subarray(box.start, box.end), at);
    at += box.end - box.start;
  }
  return out;
}

/** mfhd's sequence_number: the muxer starts each output at 1; a session counts its fragments. */
function setMoofSequence(segment: Uint8Array, sequence: number): void {
  const moof = readBoxes(segment).find((b) => b.type === "moof");
  if (!moof) return;
  const mfhd = readBoxes(segment.subarray(moof.start + 8, moof.end)).find((b) => b.type === "mfhd");
  if (!mfhd) return;
  new DataView(segment.buffer, segment.byteOffset).setUint32(
    moof.start + 8 + mfhd.start + 12,
    sequence,
  );
}

async function feed(
  output: Output,
  track: PlaybackTrack,
  media: TrackMedia,
  packets: EncodedPacket[],
) {
  if (track.kind === "video") {
    const source = new EncodedVideoPacketSource(track.codec);
    output.addVideoTrack(source);
    await output.start();
    const meta = { decoderConfig: media.decoderConfig as VideoDecoderConfig };
    for (const [i, packet] of packets.entries())
      await source.add(packet, i === 0 ? meta : undefined);
  } else {
    const source = new EncodedAudioPacketSource(track.codec);
    output.addAudioTrack(source);
    await output.start();
    const meta = { decoderConfig: media.decoderConfig as AudioDecoderConfig };
    for (const [i, packet] of packets.entries())
      await source.add(packet, i === 0 ? meta : undefined);
  }
}

function mediaError(error: unknown): KvsServiceError {
  if (error instanceof KvsServiceError) return error;
  const why = error instanceof Error ? error.message : String(error);
  return new KvsServiceError(
    "InvalidMediaFrameException",
    `One or more frames could not be remuxed: ${why}`,
  );
}

export async function remuxFmp4(
  track: PlaybackTrack,
  media: TrackMedia,
  timing: SegmentTiming,
  sequence: number,
): Promise<Fmp4Parts> {
  const packets = placePackets(track, media.packets, timing);
  if (packets.length === 0) {
    throw new KvsServiceError(
      "InvalidMediaFrameException",
      `Track ${track.trackNumber} has no decodable frame in this fragment.`,
    );
  }
  const g711 = track.kind === "audio" && track.codec !== "aac";
  const options = {
    fastStart: "fragmented",
    minimumFragmentDuration: Number.MAX_SAFE_INTEGER,
  } as const;
  const target = new BufferTarget();
  const output = new Output({
    format: g711 ? new MovOutputFormat(options) : new Mp4OutputFormat(options),
    target,
  });
  try {
    await feed(output, track, media, packets);
    await output.finalize();
  } catch (error) {
    if (output.state === "started" || output.state === "pending")
      await output.cancel().catch(() => {});
    throw mediaError(error);
  }
  const bytes = new Uint8Array(target.buffer ?? new ArrayBuffer(0));
  const boxes = readBoxes(bytes);
  const init = concatBoxes(
    bytes,
    boxes.filter((b) => b.type === "ftyp" || b.type === "moov"),
  );
  const segment = concatBoxes(
    bytes,
    boxes.filter((b) => b.type === "moof" || b.type === "mdat"),
  );
  setMoofSequence(segment, sequence + 1);
  return { init, segment };
}

/** All tracks of one fragment as one MPEG-TS segment (GetTSFragment), on the session timeline. */
export async function remuxTs(
  tracks: ReadonlyArray<{ track: PlaybackTrack; media: TrackMedia }>,
  timing: SegmentTiming,
): Promise<Uint8Array> {
  const target = new BufferTarget();
  const output = new Output({ format: new MpegTsOutputFormat(), target });
  try {
    const sources = tracks.map(({ track, media }) => {
      const packets = placePackets(track, media.packets, timing);
      if (track.kind === "video") {
        const source = new EncodedVideoPacketSource(track.codec);
        output.addVideoTrack(source);
        return {
          packets,
          add: (p: EncodedPacket, first: boolean) =>
            source.add(
              p,
              first ? { decoderConfig: media.decoderConfig as VideoDecoderConfig } : undefined,
            ),
        };
      }
      const source = new EncodedAudioPacketSource(track.codec);
      output.addAudioTrack(source);
      return {
        packets,
        add: (p: EncodedPacket, first: boolean) =>
          source.add(
            p,
            first ? { decoderConfig: media.decoderConfig as AudioDecoderConfig } : undefined,
          ),
      };
    });
    await output.start();
    // Interleaved by time, as a transport stream carries them; each track keeps its decode order.
    const next = sources.map(() => 0);
    for (;;) {
      let pick = -1;
      for (const [i, s] of sources.entries()) {
        const head = s.packets[next[i] as number];
        const best = pick < 0 ? undefined : sources[pick]?.packets[next[pick] as number];
        if (head && (!best || head.timestamp < best.timestamp)) pick = i;
      }
      const chosen = sources[pick];
      if (!chosen) break;
      const at = next[pick] as number;
      await chosen.add(chosen.packets[at] as EncodedPacket, at === 0);
      next[pick] = at + 1;
    }
    await output.finalize();
  } catch (error) {
    if (output.state === "started" || output.state === "pending")
      await output.cancel().catch(() => {});
    throw mediaError(error);
  }
  return new Uint8Array(target.buffer ?? new ArrayBuffer(0));
}
