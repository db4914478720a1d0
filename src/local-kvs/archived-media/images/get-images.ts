// POST /getImages: pictures decoded from the stored key frames over a timestamp range
// (kinesis-video-archived-media). One image per sampling point (StartTimestamp, then every
// SamplingInterval ms up to EndTimestamp; without an interval, one per fragment start in the
// range), from the nearest key frame at or before the point within the recorded media. A point
// no fragment covers is Error NO_MEDIA; a frame that can't be decoded (audio only, bad media) is
// MEDIA_ERROR; neither carries ImageContent. At most 25 images per page, then a NextToken.
import { EbmlError } from "../../../mkv/ebml/primitives.ts";
import { KvsServiceError } from "../../errors.ts";
import { streamFromInput } from "../../operations/resolve-stream.ts";
import type { OperationHandler } from "../../server/context.ts";
import { isStoredMediaGone } from "../../store/local-fragment-store.ts";
import type { FragmentRecord, FragmentStore, TimestampKind } from "../../store/types.ts";
import { msToSeconds } from "../../validation.ts";
import { type ClipHeader, parseClipHeader } from "../clip/clip-header.ts";
import { decodeFrame, FrameDecodeError, findFfmpeg } from "./ffmpeg.ts";
import { type ImagesRequest, readImagesRequest } from "./images-request.ts";
import { decodeImagesToken, encodeImagesToken, requestDigest } from "./images-token.ts";
import {
  type KeyFrame,
  keyFrameAtOrBefore,
  keyFrameDocument,
  keyFramesOf,
  videoTrackOf,
} from "./key-frames.ts";

/** KVS fragments last at most 20 s: a point's fragment started at most this long before it. */
const FRAGMENT_LOOKBACK_MS = 20_000;

type ImageError = "NO_MEDIA" | "MEDIA_ERROR";
type Decoded = { content: Buffer } | { error: ImageError };

const timestampOf = (fragment: FragmentRecord, by: TimestampKind) =>
  by === "producer" ? fragment.producerTimestampMs : fragment.serverTimestampMs;

function samplingPoints(request: ImagesRequest, fragments: readonly FragmentRecord[]): number[] {
  const { startMs, endMs, samplingIntervalMs: interval } = request;
  if (interval !== undefined) {
    const points: number[] = [];
    for (let at = startMs; at <= endMs; at += interval) points.push(at);
    return points;
  }
  const starts = new Set<number>();
  for (const fragment of fragments) {
    const at = timestampOf(fragment, request.by);
    if (at >= startMs && at <= endMs) starts.add(at);
  }
  return starts.size > 0 ? [...starts].sort((a, b) => a - b) : [startMs];
}

/** The fragment whose media covers `atMs` (the newest one starting at or before it). */
function fragmentAt(fragments: readonly FragmentRecord[], by: TimestampKind, atMs: number) {
  let found: FragmentRecord | undefined;
  for (const fragment of fragments) {
    if (timestampOf(fragment, by) <= atMs) found = fragment;
    else break;
  }
  if (!found) return undefined;
  return atMs <= timestampOf(found, by) + found.durationMs ? found : undefined;
}

class FrameSource {
  readonly #store: FragmentStore;
  readonly #ffmpeg: string;
  readonly #request: ImagesRequest;
  readonly #signal: AbortSignal;
  readonly #headers = new Map<
    string,
    Promise<{ header: ClipHeader; track: number | undefined; scaleNs: number }>
  >();
  readonly #decoded = new Map<string, Promise<Decoded>>();
  readonly #clusters = new Map<string, Promise<{ cluster: Uint8Array; frames: KeyFrame[] }>>();

  constructor(store: FragmentStore, ffmpeg: string, request: ImagesRequest, signal: AbortSignal) {
    this.#store = store;
    this.#ffmpeg = ffmpeg;
    this.#request = request;
    this.#signal = signal;
  }

  #header(headerId: string) {
    let entry = this.#headers.get(headerId);
    if (!entry) {
      entry = this.#store.readHeader(headerId).then((record) => ({
        header: parseClipHeader(record.bytes),
        track: videoTrackOf(record),
        scaleNs: record.timecodeScaleNs,
      }));
      this.#headers.set(headerId, entry);
    }
    return entry;
  }

  /** A fragment's Cluster and key frames, read once per request however many points it covers. */
  #keyFrames(fragment: FragmentRecord, track: number, scaleNs: number) {
    let entry = this.#clusters.get(fragment.fragmentNumber);
    if (!entry) {
      entry = this.#store
        .readCluster(fragment)
        .then((cluster) => ({ cluster, frames: keyFramesOf(cluster, track, scaleNs) }));
      this.#clusters.set(fragment.fragmentNumber, entry);
    }
    return entry;
  }

  /** The picture at `atMs` of `fragment`; points sharing a key frame share one decode. */
  async imageAt(fragment: FragmentRecord, atMs: number): Promise<Decoded> {
    try {
      const { header, track, scaleNs } = await this.#header(fragment.headerId);
      if (track === undefined) return { error: "MEDIA_ERROR" };
      const { cluster, frames } = await this.#keyFrames(fragment, track, scaleNs);
      const frame = keyFrameAtOrBefore(frames, atMs - timestampOf(fragment, this.#request.by));
      if (!frame) return { error: "MEDIA_ERROR" };
      const key = `${fragment.fragmentNumber}:${frame.range[0]}`;
      let decoded = this.#decoded.get(key);
      if (!decoded) {
        const { format, size, jpegQuality } = this.#request;
        const document = keyFrameDocument(header, cluster, frame);
        decoded = decodeFrame(
          this.#ffmpeg,
          { document, format, size, jpegQuality },
          this.#signal,
        ).then((content): Decoded => ({ content }));
        this.#decoded.set(key, decoded);
      }
      return await decoded;
    } catch (error) {
      if (isStoredMediaGone(error)) return { error: "NO_MEDIA" };
      if (error instanceof FrameDecodeError || error instanceof EbmlError)
        return { error: "MEDIA_ERROR" };
      throw error;
    }
  }
}

export const getImages: OperationHandler = {
  operation: "GetImages",
  async handle(ctx) {
    const request = readImagesRequest(ctx.input);
    const stream = streamFromInput(ctx.store, ctx.input);
    const digest = requestDigest([
      stream.streamArn,
      request.by,
      request.startMs,
      request.endMs,
      request.samplingIntervalMs,
      request.format,
      request.jpegQuality,
      request.size?.width,
      request.size?.height,
    ]);
    const nowMs = ctx.clock.now();
    const rate = ctx.config.getImagesRatePerSecond;
    if (!ctx.rates.tryAcquire(`GetImages:${stream.streamArn}`, rate, nowMs)) {
      throw new KvsServiceError(
        "ClientLimitExceededException",
        "GetImages is limited per stream; slow down and retry.",
      );
    }
    const firstIndex =
      request.nextToken === undefined ? 0 : decodeImagesToken(request.nextToken, digest);
    if (stream.dataRetentionInHours === 0) {
      throw new KvsServiceError(
        "NoDataRetentionException",
        `The stream ${stream.streamName} does not retain data (DataRetentionInHours is 0).`,
      );
    }
    const ffmpeg = findFfmpeg();
    if ("missing" in ffmpeg) {
      throw new KvsServiceError(
        "InternalFailure",
        `GetImages needs ffmpeg to decode key frames, and this kvs-local has none: ${ffmpeg.missing}.`,
      );
    }

    const fragments = ctx.store.listFragments(stream.streamArn, {
      by: request.by,
      fromMs: request.startMs - FRAGMENT_LOOKBACK_MS,
      toMs: request.endMs,
    });
    const points = samplingPoints(request, fragments);
    const page = points.slice(firstIndex, firstIndex + request.pageSize);
    const source = new FrameSource(ctx.store, ffmpeg.path, request, ctx.signal);
    let images: Array<{ at: number; decoded: Decoded }>;
    try {
      images = await Promise.all(
        page.map(async (at) => {
          const fragment = fragmentAt(fragments, request.by, at);
          const decoded: Decoded = fragment
            ? await source.imageAt(fragment, at)
            : { error: "NO_MEDIA" };
          return { at, decoded };
        }),
      );
    } catch (error) {
      if (ctx.signal.aborted) return;
      throw error;
    }
    const nextIndex = firstIndex + page.length;
    ctx.replyJson({
      Images: images.map(({ at, decoded }) => ({
        TimeStamp: msToSeconds(at),
        ...("content" in decoded
          ? { ImageContent: decoded.content.toString("base64") }
          : { Error: decoded.error }),
      })),
      NextToken: nextIndex < points.length ? encodeImagesToken(digest, nextIndex) : undefined,
    });
  },
};
