// Remuxes clip input documents (see clip-input-document.ts) into one traditional MP4 file with
// mediabunny, copying packets without decoding them.
//
// Memory: the muxer writes each track's samples to the file in ~0.5 s chunks and keeps only their
// sample-table entries (a few dozen bytes per packet) until `finish`. `fastStart: "reserve"` puts
// `moov` before `mdat` without holding the media in memory: it reserves room for the sample
// tables from the exact packet counts (counted beforehand from the Clusters) and writes `moov`
// into that room at the end, through random-access writes to the file. Writes are batched in
// WRITE_CHUNK_BYTES pieces before they reach the file.
import { type FileHandle, open } from "node:fs/promises";
import {
  BufferSource,
  EncodedAudioPacketSource,
  type EncodedPacket,
  EncodedPacketSink,
  EncodedVideoPacketSource,
  Input,
  type InputTrack,
  MATROSKA,
  MovOutputFormat,
  Mp4OutputFormat,
  Output,
  StreamTarget,
  type StreamTargetChunk,
} from "mediabunny";
import type { ClipTrackPlan } from "./clip-tracks.ts";

export interface ClipPacketCounts {
  video: number;
  audio: number;
}

/** The media could not be remuxed (a block the codec parser rejects, no key frame, …). */
export class ClipMediaError extends Error {
  override readonly name = "ClipMediaError";
}

interface TrackState {
  /** Largest presentation timestamp added so far (seconds, clip timeline). */
  maxTimestamp: number;
  /** End of the last packet added (seconds). */
  end: number;
  /** The last non-zero packet duration, standing in for unknown ones (seconds). */
  lastDuration: number;
  started: boolean;
}

const newTrackState = (): TrackState => ({
  maxTimestamp: Number.NEGATIVE_INFINITY,
  end: Number.NEGATIVE_INFINITY,
  lastDuration: 0,
  started: false,
});

const WRITE_CHUNK_BYTES = 1024 * 1024;

/** Two packet timestamps closer than this are the same instant (MP4 timescales are ≥ 1 kHz). */
const EPSILON = 1e-6;

async function readPackets(track: InputTrack | undefined): Promise<EncodedPacket[]> {
  if (!track) return [];
  const packets: EncodedPacket[] = [];
  for await (const packet of new EncodedPacketSink(track).packets()) packets.push(packet);
  return packets;
}

function earliestTimestamp(packets: readonly EncodedPacket[]): number {
  let earliest = Number.POSITIVE_INFINITY;
  for (const packet of packets) earliest = Math.min(earliest, packet.timestamp);
  return earliest;
}

export class Mp4ClipWriter {
  readonly #plan: ClipTrackPlan;
  readonly #output: Output;
  readonly #video: EncodedVideoPacketSource;
  readonly #audio: EncodedAudioPacketSource | undefined;
  readonly #videoState = newTrackState();
  readonly #audioState = newTrackState();
  #started = false;
  /** Added to every timestamp so the clip does not start below 0 (seconds). */
  #origin = 0;
  #videoPackets = 0;

  readonly #file: FileHandle;

  /** Creates (truncates) the file at `path`; `finish` or `abort` closes it. */
  static async create(
    path: string,
    plan: ClipTrackPlan,
    counts: ClipPacketCounts,
  ): Promise<Mp4ClipWriter> {
    return new Mp4ClipWriter(await open(path, "w"), plan, counts);
  }

  private constructor(file: FileHandle, plan: ClipTrackPlan, counts: ClipPacketCounts) {
    this.#file = file;
    this.#plan = plan;
    // The file handle is ours (not a FilePathTarget's) so it is closed on every path out.
    const writable = new WritableStream<StreamTargetChunk>({
      write: async (chunk) => {
        await file.write(chunk.data, 0, chunk.data.byteLength, chunk.position);
      },
    });
    // MP4 has no G.711 sample entry; QuickTime (the same box structure) has `alaw`/`ulaw`.
    const g711 = plan.audio !== undefined && plan.audio.codec !== "aac" && counts.audio > 0;
    this.#output = new Output({
      format: g711
        ? new MovOutputFormat({ fastStart: "reserve" })
        : new Mp4OutputFormat({ fastStart: "reserve" }),
      target: new StreamTarget(writable, { chunked: true, chunkSize: WRITE_CHUNK_BYTES }),
    });
    this.#video = new EncodedVideoPacketSource(plan.video.codec);
    this.#output.addVideoTrack(this.#video, { maximumPacketCount: Math.max(1, counts.video) });
    if (plan.audio && counts.audio > 0) {
      this.#audio = new EncodedAudioPacketSource(plan.audio.codec);
      this.#output.addAudioTrack(this.#audio, { maximumPacketCount: counts.audio });
    }
  }

  /** Video frames written so far. */
  get videoPackets(): number {
    return this.#videoPackets;
  }

  /**
   * Adds one fragment whose first packet belongs at `startSec` on the clip timeline. A fragment
   * that would overlap the one before (producer clocks that jump back, rounding) is pushed later
   * just enough to keep every track's timestamps increasing.
   */
  async addFragment(document: Uint8Array, startSec: number): Promise<void> {
    const input = new Input({ source: new BufferSource(document), formats: [MATROSKA] });
    try {
      const tracks = await input.getTracks();
      const videoTrack = tracks.find((t) => t.id === this.#plan.video.trackNumber);
      const audioTrack = this.#audio
        ? tracks.find((t) => t.id === this.#plan.audio?.trackNumber)
        : undefined;
      let video = await readPackets(videoTrack);
      const audio = await readPackets(audioTrack);
      if (!this.#videoState.started) {
        // A clip must open on a key frame; frames before the first one cannot be decoded.
        const firstKey = video.findIndex((p) => p.type === "key");
        video = firstKey < 0 ? [] : video.slice(firstKey);
      }
      if (!this.#started) {
        if (video.length === 0) return;
        await this.#start(videoTrack, audioTrack);
        // Blocks may sit before their Cluster's start (negative relative timecodes); the clip
        // timeline starts at 0.
        const earliest = Math.min(earliestTimestamp(video), earliestTimestamp(audio));
        this.#origin = Math.max(0, -(startSec + earliest));
      }
      const at = startSec + this.#origin;
      const shift = at + this.#overlapCorrection(video, audio, at);
      await this.#addAll(video, audio, shift);
    } catch (error) {
      if (error instanceof ClipMediaError) throw error;
      throw new ClipMediaError(error instanceof Error ? error.message : String(error));
    } finally {
      input.dispose();
    }
  }

  async finish(): Promise<void> {
    try {
      if (!this.#started) throw new ClipMediaError("no video key frame in the selected fragments");
      await this.#output.finalize();
    } finally {
      await this.#file.close();
    }
  }

  async abort(): Promise<void> {
    try {
      if (this.#output.state === "started" || this.#output.state === "pending") {
        await this.#output.cancel();
      }
    } finally {
      await this.#file.close().catch(() => {});
    }
  }

  async #start(videoTrack: InputTrack | undefined, audioTrack: InputTrack | undefined) {
    if (!videoTrack?.isVideoTrack()) throw new ClipMediaError("video track not found");
    const videoConfig = await videoTrack.getDecoderConfig();
    if (!videoConfig) throw new ClipMediaError("video decoder configuration unavailable");
    this.#videoMeta = { decoderConfig: videoConfig };
    const audioPlan = this.#plan.audio;
    if (this.#audio && audioPlan) {
      const fromDemuxer = audioTrack?.isAudioTrack() ? await audioTrack.getDecoderConfig() : null;
      // mediabunny's Matroska reader leaves A_MS/ACM (G.711) without a codec; the plan knows it.
      this.#audioMeta = {
        decoderConfig: fromDemuxer ?? {
          codec: audioPlan.codec === "aac" ? "mp4a.40.2" : audioPlan.codec,
          sampleRate: audioPlan.sampleRate,
          numberOfChannels: audioPlan.channels,
          ...(audioPlan.codec === "aac" ? { description: audioPlan.codecPrivate } : {}),
        },
      };
    }
    await this.#output.start();
    this.#started = true;
  }

  #videoMeta: EncodedVideoChunkMetadata | undefined;
  #audioMeta: EncodedAudioChunkMetadata | undefined;

  #overlapCorrection(video: EncodedPacket[], audio: EncodedPacket[], startSec: number): number {
    let correction = 0;
    if (video.length > 0 && this.#videoState.started) {
      const first = earliestTimestamp(video);
      // After the previous frame's end, not just its start, so no frame loses its duration.
      const free = Math.max(this.#videoState.end, this.#videoState.maxTimestamp + EPSILON);
      correction = Math.max(correction, free - (startSec + first));
    }
    const firstAudio = audio[0];
    if (firstAudio && this.#audioState.started) {
      const free = Math.max(this.#audioState.end, this.#audioState.maxTimestamp + EPSILON);
      correction = Math.max(correction, free - (startSec + firstAudio.timestamp));
    }
    return correction > EPSILON ? correction : 0;
  }

  async #addAll(video: EncodedPacket[], audio: EncodedPacket[], shift: number) {
    // Interleave by time so each track's chunks stay close to the other's in the file.
    let v = 0;
    let a = 0;
    while (v < video.length || a < audio.length) {
      const nextVideo = video[v];
      const nextAudio = audio[a];
      if (nextVideo && (!nextAudio || nextVideo.timestamp <= nextAudio.timestamp)) {
        await this.#addVideo(nextVideo, shift);
        v++;
      } else if (nextAudio) {
        await this.#addAudio(nextAudio, shift);
        a++;
      }
    }
  }

  async #addVideo(packet: EncodedPacket, shift: number) {
    const state = this.#videoState;
    const moved = this.#moved(packet, shift, state, packet.type);
    await this.#video.add(moved, state.started ? undefined : this.#videoMeta);
    this.#record(state, moved);
    this.#videoPackets++;
  }

  async #addAudio(packet: EncodedPacket, shift: number) {
    if (!this.#audio) return;
    const state = this.#audioState;
    // Matroska blocks carry no key flag for audio; every audio packet is independently decodable.
    const moved = this.#moved(packet, shift, state, "key");
    await this.#audio.add(moved, state.started ? undefined : this.#audioMeta);
    this.#record(state, moved);
  }

  /**
   * The packet on the clip timeline. The demuxer gives the last block of a Cluster duration 0
   * when the track has no DefaultDuration; the track's usual duration stands in, so the next
   * fragment is placed after it and the sample does not end up with no length.
   */
  #moved(packet: EncodedPacket, shift: number, state: TrackState, type: "key" | "delta") {
    const duration = packet.duration > 0 ? packet.duration : state.lastDuration;
    return packet.clone({ timestamp: packet.timestamp + shift, duration, type });
  }

  #record(state: TrackState, packet: EncodedPacket) {
    state.started = true;
    state.maxTimestamp = Math.max(state.maxTimestamp, packet.timestamp);
    state.end = Math.max(state.end, packet.timestamp + packet.duration);
    if (packet.duration > 0) state.lastDuration = packet.duration;
  }
}
