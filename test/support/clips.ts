// Plumbing for the clip end-to-end tests: test media made with ffmpeg, streams filled through
// PutMedia, downloads over plain HTTP, and ffprobe frame counts.

import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { CreateStreamCommand, KinesisVideoClient } from "@aws-sdk/client-kinesis-video";
import { ingest, persistedNumbers } from "./kvs-local-helpers.ts";

const run = promisify(execFile);

export interface TestVideo {
  path: string;
  bytes: Uint8Array;
  seconds: number;
  fps: number;
}

/**
 * An H.264 Matroska file with one keyframe (and so one Cluster, one KVS fragment) per second.
 * `bitrate` (e.g. "8M") pads frames to a constant rate, for clips of a wanted size.
 */
export async function makeTestVideo(
  directory: string,
  options: { seconds: number; fps: number; size?: string; bitrate?: string },
): Promise<TestVideo> {
  const file = path.join(
    directory,
    `test-${options.seconds}s-${options.fps}fps-${options.bitrate ?? "q"}.mkv`,
  );
  const rate = options.bitrate
    ? [
        "-b:v",
        options.bitrate,
        "-minrate",
        options.bitrate,
        "-maxrate",
        options.bitrate,
        "-bufsize",
        "2M",
      ]
    : [];
  await run("ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-y"],
    ...[
      "-f",
      "lavfi",
      "-i",
      `testsrc2=size=${options.size ?? "160x120"}:rate=${options.fps}:duration=${options.seconds}`,
    ],
    ...[
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-pix_fmt",
      "yuv420p",
      "-bf",
      "0",
      "-threads",
      "1",
    ],
    ...["-g", String(options.fps), "-keyint_min", String(options.fps), "-sc_threshold", "0"],
    ...rate,
    ...(options.bitrate ? ["-x264-params", "nal-hrd=cbr"] : []),
    ...["-cluster_time_limit", "1500", "-f", "matroska", file],
  ]);
  return {
    path: file,
    bytes: new Uint8Array(await readFile(file)),
    seconds: options.seconds,
    fps: options.fps,
  };
}

/** Creates `streamName` on kvs-local and PutMedias `video` with producer timestamps from `startMs`. */
export async function fillStream(
  endpoint: string,
  streamName: string,
  video: TestVideo,
  startMs: number,
): Promise<number> {
  const control = new KinesisVideoClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    await control.send(
      new CreateStreamCommand({ StreamName: streamName, DataRetentionInHours: 24 }),
    );
  } finally {
    control.destroy();
  }
  const acks = await ingest(endpoint, streamName, video.bytes, {
    timecodeType: "RELATIVE",
    producerStartTimestampMs: startMs,
  });
  const errors = acks.filter((ack) => ack.EventType === "ERROR");
  if (errors.length > 0) throw new Error(`PutMedia errors: ${JSON.stringify(errors)}`);
  return persistedNumbers(acks).length;
}

export interface Download {
  status: number;
  headers: Headers;
  body: Buffer;
}

export async function download(url: string, init?: RequestInit): Promise<Download> {
  const response = await fetch(url, init);
  return {
    status: response.status,
    headers: response.headers,
    body: Buffer.from(await response.arrayBuffer()),
  };
}

export interface ProbedVideo {
  formatName: string;
  videoFrames: number;
  durationSeconds: number;
}

/** ffprobe's view of an MP4: container, video packet count (= frames, no B-frames) and duration. */
export async function probe(
  directory: string,
  name: string,
  bytes: Uint8Array,
): Promise<ProbedVideo> {
  const file = path.join(directory, name);
  await writeFile(file, bytes);
  const { stdout } = await run("ffprobe", [
    ...["-v", "error", "-select_streams", "v:0", "-count_packets"],
    ...["-show_entries", "stream=nb_read_packets:format=format_name,duration", "-of", "json", file],
  ]);
  const parsed = JSON.parse(stdout) as {
    streams?: Array<{ nb_read_packets?: string }>;
    format?: { format_name?: string; duration?: string };
  };
  return {
    formatName: parsed.format?.format_name ?? "",
    videoFrames: Number(parsed.streams?.[0]?.nb_read_packets ?? Number.NaN),
    durationSeconds: Number(parsed.format?.duration ?? Number.NaN),
  };
}

/** Polls `condition` until it holds or `timeoutMs` passes. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs = 10_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
