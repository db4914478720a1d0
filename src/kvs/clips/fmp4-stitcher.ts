import {
  type AudioCodec,
  EncodedAudioPacketSource,
  type EncodedPacket,
  EncodedPacketSink,
  EncodedVideoPacketSource,
  FilePathSource,
  Input,
  type InputAudioTrack,
  type InputVideoTrack,
  MovOutputFormat,
  MP4,
  Mp4OutputFormat,
  Output,
  QTFF,
  StreamTarget,
  type StreamTargetChunk,
  type VideoCodec,
} from "mediabunny";
import { forgetFinishedFragments, retainedFragments } from "./fmp4-retention.ts";

/**
 * Lays GetClip MP4s end to end as one fragmented MP4 (one init segment, then moof/mdat pairs of
 * about a second), copying packets without decoding them. Each part's packets move to the part's
 * place on the whole range's timeline (its first fragment's producer time, as GetClip times
 * them), so gaps between parts stay gaps; a part that would overlap the one before (producer
 * clocks that step back) is pushed just after it, so no track's timestamps go backwards.
 *
 * Memory: a part is read from a file (the reader caches at most READ_CACHE_BYTES of it) and the
 * muxer holds one fragment (the records of finished ones are dropped: fmp4-retention.ts), so a
 * clip of any length costs the same.
 *
 * Timelapse: only the video track's key frames, each shown until the next kept one, the timeline
 * divided by `speed`; at most TIMELAPSE_MAX_FPS frames per second of output are kept (a night at
 * 600× would otherwise be 600 key frames a second, more than players decode).
 */

export type StitchMode = { kind: "whole" } | { kind: "timelapse"; speed: number };

/** Writes output bytes in order; resolves when more may be written (backpressure). */
export type StitchSink = (bytes: Uint8Array) => Promise<void>;

/** A part's media can't join the clip (no video, another codec configuration, a broken file). */
export class StitchError extends Error {
  override readonly name = "StitchError";
}

export const TIMELAPSE_MAX_FPS = 30;
const READ_CACHE_BYTES = 4 * 1024 * 1024;
const WRITE_CHUNK_BYTES = 256 * 1024;
/** Two timestamps closer than this are the same instant (MP4 timescales are ≥ 1 kHz). */
const EPSILON = 1e-6;

interface TrackOut {
  end: number;
  lastTimestamp: number;
  lastDuration: number;
  started: boolean;
}

const newTrackOut = (): TrackOut => ({
  end: Number.NEGATIVE_INFINITY,
  lastTimestamp: Number.NEGATIVE_INFINITY,
  lastDuration: 0,
  started: false,
});

interface Setup {
  output: Output;
  video: EncodedVideoPacketSource;
  videoConfig: VideoDecoderConfig;
  audio: EncodedAudioPacketSource | undefined;
  audioConfig: AudioDecoderConfig | undefined;
}

export interface StitchedPart {
  videoPackets: number;
  audioPackets: number;
}

export class Fmp4Stitcher {
  readonly #sink: StitchSink;
  readonly #mode: StitchMode;
  #setup: Setup | undefined;
  readonly #videoOut = newTrackOut();
  readonly #audioOut = newTrackOut();
  #written = 0;
  /** Timelapse: the key frame waiting for the next one to know how long it shows. */
  #held: EncodedPacket | undefined;
  videoPackets = 0;
  audioPackets = 0;

  constructor(sink: StitchSink, mode: StitchMode) {
    this.#sink = sink;
    this.#mode = mode;
  }

  /** Records of finished fragments the muxer still holds (0 while stitching; for tests). */
  get retainedFragments(): number | undefined {
    const output = this.#setup?.output;
    return output === undefined ? 0 : retainedFragments(output);
  }

  /** Bytes handed to the sink so far. */
  get writtenBytes(): number {
    return this.#written;
  }

  /** Adds the MP4 at `path`, whose timeline starts `offsetSec` after the first part's. */
  async addPart(path: string, offsetSec: number): Promise<StitchedPart> {
    const input = new Input({
      source: new FilePathSource(path, { maxCacheSize: READ_CACHE_BYTES }),
      formats: [MP4, QTFF],
    });
    const before = { video: this.videoPackets, audio: this.audioPackets };
    try {
      const video = await input.getPrimaryVideoTrack();
      if (video === null) throw new StitchError("a part holds no video track");
      const audio = this.#mode.kind === "whole" ? await input.getPrimaryAudioTrack() : null;
      const setup = await this.#ensureSetup(video, audio);
      await this.#checkSameConfig(setup, video);
      const videoSink = new EncodedPacketSink(video);
      const audioSink =
        audio !== null && setup.audio !== undefined ? new EncodedPacketSink(audio) : undefined;
      const firstVideo = await videoSink.getFirstPacket({ metadataOnly: true });
      const firstAudio = await audioSink?.getFirstPacket({ metadataOnly: true });
      if (firstVideo === null) return { videoPackets: 0, audioPackets: 0 };
      // The part's own timeline starts at its earliest packet (audio may lead video a little).
      const base = Math.min(
        firstVideo.timestamp,
        firstAudio?.timestamp ?? Number.POSITIVE_INFINITY,
      );
      let shift = offsetSec - base;
      shift += this.#overlap(
        firstVideo.timestamp + shift,
        firstAudio == null ? undefined : firstAudio.timestamp + shift,
      );
      if (this.#mode.kind === "timelapse") await this.#addKeyFrames(setup, videoSink, shift);
      else await this.#addInterleaved(setup, videoSink, audioSink, shift);
    } catch (error) {
      if (error instanceof StitchError) throw error;
      throw new StitchError(
        `a part could not be read: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    } finally {
      input.dispose();
    }
    return {
      videoPackets: this.videoPackets - before.video,
      audioPackets: this.audioPackets - before.audio,
    };
  }

  /** Writes the last fragment. Throws when no part held a video frame. */
  async finish(): Promise<void> {
    const setup = this.#setup;
    if (setup === undefined) throw new StitchError("the clip holds no video frames");
    await this.#releaseHeld(setup, undefined);
    await setup.output.finalize();
  }

  async cancel(): Promise<void> {
    const output = this.#setup?.output;
    if (output !== undefined && (output.state === "started" || output.state === "pending")) {
      await output.cancel();
    }
  }

  async #ensureSetup(video: InputVideoTrack, audio: InputAudioTrack | null): Promise<Setup> {
    if (this.#setup !== undefined) return this.#setup;
    const videoCodec = video.codec;
    const videoConfig = await video.getDecoderConfig();
    if (videoCodec === null || videoConfig === null) {
      throw new StitchError("the first part's video codec is not one an MP4 can hold");
    }
    const audioCodec = audio?.codec ?? null;
    const audioConfig = audio === null ? null : await audio.getDecoderConfig();
    const withAudio = audioCodec !== null && audioConfig !== null;
    // MP4 has no G.711 sample entry; QuickTime (the same box structure) has one, as in GetClip.
    const mp4 = new Mp4OutputFormat({ fastStart: "fragmented" });
    const format =
      withAudio && !mp4.getSupportedCodecs().includes(audioCodec)
        ? new MovOutputFormat({ fastStart: "fragmented" })
        : mp4;
    const writable = new WritableStream<StreamTargetChunk>({
      write: async (chunk) => {
        // Fragmented output is written in order: each chunk follows the last.
        if (chunk.position !== this.#written) {
          throw new StitchError(`the muxer wrote at ${chunk.position}, not at ${this.#written}`);
        }
        this.#written += chunk.data.byteLength;
        await this.#sink(chunk.data);
      },
    });
    const output = new Output({
      format,
      target: new StreamTarget(writable, { chunked: true, chunkSize: WRITE_CHUNK_BYTES }),
    });
    const videoSource = new EncodedVideoPacketSource(videoCodec as VideoCodec);
    output.addVideoTrack(videoSource);
    let audioSource: EncodedAudioPacketSource | undefined;
    if (withAudio) {
      audioSource = new EncodedAudioPacketSource(audioCodec as AudioCodec);
      output.addAudioTrack(audioSource);
    }
    await output.start();
    this.#setup = {
      output,
      video: videoSource,
      videoConfig,
      audio: audioSource,
      audioConfig: audioConfig ?? undefined,
    };
    return this.#setup;
  }

  /** One MP4 track holds one codec configuration: a producer that restarted with others ends it. */
  async #checkSameConfig(setup: Setup, video: InputVideoTrack): Promise<void> {
    const config = await video.getDecoderConfig();
    if (config === null || !sameVideoConfig(setup.videoConfig, config)) {
      throw new StitchError(
        `a part's video codec configuration (${config?.codec ?? "none"}, ${config?.codedWidth}x${config?.codedHeight}) differs from the first part's (${setup.videoConfig.codec}, ${setup.videoConfig.codedWidth}x${setup.videoConfig.codedHeight})`,
      );
    }
  }

  /**
   * How much later (whole-range seconds) than planned the part must start so that no track goes
   * back in time: after the end of what was added last, not just its start, so nothing loses its
   * duration.
   */
  #overlap(firstVideoAt: number, firstAudioAt: number | undefined): number {
    let correction = 0;
    const video = this.#videoOut;
    const held = this.#held?.timestamp ?? Number.NEGATIVE_INFINITY;
    if (video.started || this.#held !== undefined) {
      const free = Math.max(video.end, video.lastTimestamp + EPSILON, held + EPSILON);
      correction = Math.max(correction, free * this.#speed() - firstVideoAt);
    }
    const audio = this.#audioOut;
    if (firstAudioAt !== undefined && audio.started) {
      const free = Math.max(audio.end, audio.lastTimestamp + EPSILON);
      correction = Math.max(correction, free - firstAudioAt);
    }
    return correction > EPSILON ? correction : 0;
  }

  #speed(): number {
    return this.#mode.kind === "timelapse" ? this.#mode.speed : 1;
  }

  /** A whole-range time (seconds) on the output timeline. */
  #outTime(seconds: number): number {
    return seconds / this.#speed();
  }

  async #addInterleaved(
    setup: Setup,
    videoSink: EncodedPacketSink,
    audioSink: EncodedPacketSink | undefined,
    shift: number,
  ): Promise<void> {
    const videoPackets = videoSink.packets();
    const audioPackets = audioSink?.packets();
    let video = await next(videoPackets);
    let audio = audioPackets === undefined ? undefined : await next(audioPackets);
    // Interleaved by time, so the fragments hold both tracks' media for the same stretch.
    while (video !== undefined || audio !== undefined) {
      if (video !== undefined && (audio === undefined || video.timestamp <= audio.timestamp)) {
        await this.#addVideo(setup, video, shift, video.duration);
        video = await next(videoPackets);
      } else if (audio !== undefined && audioPackets !== undefined) {
        await this.#addAudio(setup, audio, shift);
        audio = await next(audioPackets);
      }
    }
  }

  async #addKeyFrames(setup: Setup, sink: EncodedPacketSink, shift: number): Promise<void> {
    // With some slack: key frames of one-second fragments are 998-1002 ms apart, not exactly 1 s.
    const minGap = 0.9 / TIMELAPSE_MAX_FPS;
    for (let key = await sink.getFirstKeyPacket(); key !== null; ) {
      const at = this.#outTime(key.timestamp + shift);
      const held = this.#held;
      if (held === undefined || at - held.timestamp >= minGap) {
        const moved = key.clone({ timestamp: at, type: "key" });
        await this.#releaseHeld(setup, at);
        this.#held = moved;
      }
      key = await sink.getNextKeyPacket(key);
    }
  }

  /** Adds the held timelapse frame, shown until `until` (its last gap when the clip ends). */
  async #releaseHeld(setup: Setup, until: number | undefined): Promise<void> {
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    const out = this.#videoOut;
    const duration =
      until === undefined ? out.lastDuration || 1 / TIMELAPSE_MAX_FPS : until - held.timestamp;
    await this.#addVideo(setup, held, 0, duration);
  }

  async #addVideo(setup: Setup, packet: EncodedPacket, shift: number, duration: number) {
    const out = this.#videoOut;
    const length = duration > 0 ? duration : out.lastDuration;
    const moved = packet.clone({ timestamp: packet.timestamp + shift, duration: length });
    await setup.video.add(moved, out.started ? undefined : { decoderConfig: setup.videoConfig });
    record(out, moved);
    this.videoPackets++;
    forgetFinishedFragments(setup.output);
  }

  async #addAudio(setup: Setup, packet: EncodedPacket, shift: number) {
    if (setup.audio === undefined) return;
    const out = this.#audioOut;
    const duration = packet.duration > 0 ? packet.duration : out.lastDuration;
    const moved = packet.clone({ timestamp: packet.timestamp + shift, duration, type: "key" });
    await setup.audio.add(
      moved,
      out.started || setup.audioConfig === undefined
        ? undefined
        : { decoderConfig: setup.audioConfig },
    );
    record(out, moved);
    this.audioPackets++;
  }
}

function record(out: TrackOut, packet: EncodedPacket): void {
  out.started = true;
  out.lastTimestamp = Math.max(out.lastTimestamp, packet.timestamp);
  out.end = Math.max(out.end, packet.timestamp + packet.duration);
  if (packet.duration > 0) out.lastDuration = packet.duration;
}

async function next(packets: AsyncGenerator<EncodedPacket>): Promise<EncodedPacket | undefined> {
  const result = await packets.next();
  return result.done ? undefined : result.value;
}

function sameVideoConfig(a: VideoDecoderConfig, b: VideoDecoderConfig): boolean {
  return (
    a.codec === b.codec &&
    a.codedWidth === b.codedWidth &&
    a.codedHeight === b.codedHeight &&
    sameBytes(a.description, b.description)
  );
}

function sameBytes(a: AllowSharedBufferSource | undefined, b: AllowSharedBufferSource | undefined) {
  if (a === undefined || b === undefined) return a === b;
  return Buffer.from(bytesOf(a)).equals(Buffer.from(bytesOf(b)));
}

function bytesOf(source: AllowSharedBufferSource): Uint8Array {
  return ArrayBuffer.isView(source)
    ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
    : new Uint8Array(source);
}
