// ffmpeg and ffprobe for the media tests: test videos made with ffmpeg, ffprobe's view of a file,
// a full decode, and the top-level boxes of an MP4.

import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

export const run = promisify(execFile);

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
  options: {
    seconds: number;
    fps: number;
    size?: string;
    bitrate?: string;
    /** Default H.264 (libx264); "h265" encodes with libx265 (no B-frames either). */
    codec?: "h264" | "h265";
  },
): Promise<TestVideo> {
  const file = path.join(
    directory,
    `test-${options.codec ?? "h264"}-${options.seconds}s-${options.fps}fps-${options.bitrate ?? "q"}.mkv`,
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
    ...(options.codec === "h265"
      ? [
          ...["-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-tag:v", "hvc1"],
          "-x265-params",
          `keyint=${options.fps}:min-keyint=${options.fps}:bframes=0:scenecut=0:pools=1:frame-threads=1:log-level=error`,
          ...rate,
        ]
      : [
          ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
          ...["-bf", "0", "-threads", "1"],
          ...["-g", String(options.fps), "-keyint_min", String(options.fps), "-sc_threshold", "0"],
          ...rate,
          ...(options.bitrate ? ["-x264-params", "nal-hrd=cbr"] : []),
        ]),
    ...["-cluster_time_limit", "1500", "-f", "matroska", file],
  ]);
  return {
    path: file,
    bytes: new Uint8Array(await readFile(file)),
    seconds: options.seconds,
    fps: options.fps,
  };
}

export interface Probe {
  formatName: string;
  majorBrand: string | undefined;
  duration: number;
  video: { codec: string; frames: number; start: number } | undefined;
  audio: { codec: string; frames: number } | undefined;
}

interface FfprobeJson {
  format?: { format_name?: string; duration?: string; tags?: { major_brand?: string } };
  streams?: Array<{
    codec_type?: string;
    codec_name?: string;
    nb_read_packets?: string;
    start_time?: string;
  }>;
}

/** ffprobe's view of a media file (packet counts read from the container). */
export async function ffprobe(file: string): Promise<Probe> {
  const { stdout } = await run("ffprobe", [
    "-v",
    "error",
    "-count_packets",
    "-show_entries",
    "format=format_name,duration:format_tags=major_brand:stream=codec_type,codec_name,nb_read_packets,start_time",
    "-of",
    "json",
    file,
  ]);
  const json = JSON.parse(stdout) as FfprobeJson;
  const stream = (type: string) => json.streams?.find((s) => s.codec_type === type);
  const video = stream("video");
  const audio = stream("audio");
  return {
    formatName: json.format?.format_name ?? "",
    majorBrand: json.format?.tags?.major_brand?.trim(),
    duration: Number(json.format?.duration ?? Number.NaN),
    video: video
      ? {
          codec: video.codec_name ?? "",
          frames: Number(video.nb_read_packets),
          start: Number(video.start_time),
        }
      : undefined,
    audio: audio
      ? { codec: audio.codec_name ?? "", frames: Number(audio.nb_read_packets) }
      : undefined,
  };
}

export interface ProbedVideo {
  formatName: string;
  videoFrames: number;
  durationSeconds: number;
}

/**
 * `bytes` written to `directory/name`, then ffprobe's view of them: container, video packet count
 * (= frames, no B-frames) and duration.
 */
export async function probe(
  directory: string,
  name: string,
  bytes: Uint8Array,
): Promise<ProbedVideo> {
  const file = path.join(directory, name);
  await writeFile(file, bytes);
  const probed = await ffprobe(file);
  return {
    formatName: probed.formatName,
    videoFrames: probed.video?.frames ?? Number.NaN,
    durationSeconds: probed.duration,
  };
}

/** Decodes every frame; rejects with ffmpeg's complaint when the file does not play. */
export async function decodes(file: string): Promise<void> {
  const { stderr } = await run("ffmpeg", ["-v", "error", "-i", file, "-f", "null", "-"]);
  if (stderr.trim() !== "") throw new Error(`ffmpeg: ${stderr}`);
}

/** Box types at the top level of an ISO BMFF file, in order. */
export async function topLevelBoxes(file: string): Promise<string[]> {
  const bytes = await readFile(file);
  const boxes: string[] = [];
  for (let at = 0; at + 8 <= bytes.length; ) {
    let size = bytes.readUInt32BE(at);
    if (size === 1) size = Number(bytes.readBigUInt64BE(at + 8));
    boxes.push(bytes.toString("latin1", at + 4, at + 8));
    if (size < 8) break;
    at += size;
  }
  return boxes;
}

export interface ProbedPacket {
  pts: number;
  dts: number;
  key: boolean;
}

/** Every packet of the file's first `type` stream, in file order (ffprobe's times in seconds). */
export async function packetsOf(file: string, type: "v" | "a"): Promise<ProbedPacket[]> {
  const { stdout } = await run(
    "ffprobe",
    [
      ...["-v", "error", "-select_streams", `${type}:0`],
      ...["-show_entries", "packet=pts_time,dts_time,flags", "-of", "csv=p=0", file],
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [pts, dts, flags] = line.split(",");
      return { pts: Number(pts), dts: Number(dts), key: (flags ?? "").startsWith("K") };
    });
}
