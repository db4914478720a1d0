// POST /getClip: an MP4 of the fragments in a timestamp range (kinesis-video-archived-media).
import { createReadStream } from "node:fs";
import { invalidArgument, KvsServiceError, resourceNotFound } from "../../errors.ts";
import { streamFromInput } from "../../operations/resolve-stream.ts";
import type { HandlerContext, OperationHandler } from "../../server/context.ts";
import type { TimestampKind } from "../../store/types.ts";
import { FRAGMENT_SELECTOR_TYPES } from "../../validation.ts";
import { buildClip } from "./build-clip.ts";
import { selectClipFragments } from "./clip-selection.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
const READ_CHUNK_BYTES = 256 * 1024;

interface ClipRequest {
  by: TimestampKind;
  startMs: number;
  endMs: number;
}

function readClipSelector(ctx: HandlerContext): ClipRequest {
  const selector = ctx.input.object("ClipFragmentSelector", { required: true });
  const type = selector?.enumeration("FragmentSelectorType", FRAGMENT_SELECTOR_TYPES, {
    required: true,
  });
  const range = selector?.object("TimestampRange", { required: true });
  const startMs = range?.timestampMs("StartTimestamp", { required: true });
  const endMs = range?.timestampMs("EndTimestamp", { required: true });
  if (type === undefined || startMs === undefined || endMs === undefined) {
    throw invalidArgument("ClipFragmentSelector is incomplete.");
  }
  return { by: type === "PRODUCER_TIMESTAMP" ? "producer" : "server", startMs, endMs };
}

function checkRange({ by, startMs, endMs }: ClipRequest, nowMs: number): void {
  if (endMs <= startMs) {
    throw invalidArgument("The EndTimestamp must be later than the StartTimestamp.");
  }
  if (endMs - startMs > DAY_MS) {
    throw invalidArgument("The EndTimestamp must be within 24 hours of the StartTimestamp.");
  }
  if (by === "server" && endMs > nowMs) {
    throw invalidArgument("With SERVER_TIMESTAMP, the EndTimestamp must be in the past.");
  }
}

async function streamFile(ctx: HandlerContext, path: string, sizeBytes: number): Promise<void> {
  const sink = ctx.startStream("video/mp4", { "Content-Length": String(sizeBytes) });
  const file = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  try {
    for await (const chunk of file as AsyncIterable<Buffer>) {
      if (!(await sink.write(chunk))) return;
    }
    await sink.end();
  } finally {
    file.destroy();
  }
}

export const getClip: OperationHandler = {
  operation: "GetClip",
  async handle(ctx) {
    const request = readClipSelector(ctx);
    const stream = streamFromInput(ctx.store, ctx.input);
    const nowMs = ctx.clock.now();
    if (
      !ctx.rates.tryAcquire(`GetClip:${stream.streamArn}`, ctx.config.getClipRatePerSecond, nowMs)
    ) {
      throw new KvsServiceError(
        "ClientLimitExceededException",
        "GetClip is limited per stream; slow down and retry.",
      );
    }
    checkRange(request, nowMs);
    if (stream.dataRetentionInHours === 0) {
      throw new KvsServiceError(
        "NoDataRetentionException",
        `The stream ${stream.streamName} does not retain data (DataRetentionInHours is 0).`,
      );
    }

    const inRange = ctx.store.listFragments(stream.streamArn, {
      by: request.by,
      fromMs: request.startMs,
      toMs: request.endMs,
    });
    const fragments = selectClipFragments(inRange, request.by);
    if (fragments.length === 0) {
      throw resourceNotFound("No fragments found in the requested time range.");
    }

    let clip: Awaited<ReturnType<typeof buildClip>>;
    try {
      clip = await buildClip(ctx.store, fragments, ctx.signal);
    } catch (error) {
      if (ctx.signal.aborted) return;
      throw error;
    }
    try {
      ctx.log(
        `GetClip ${stream.streamName}: ${clip.fragments.length} fragments, ${clip.videoFrames} frames, ${clip.sizeBytes} bytes`,
      );
      await streamFile(ctx, clip.path, clip.sizeBytes);
    } finally {
      await clip.dispose();
    }
  },
};
