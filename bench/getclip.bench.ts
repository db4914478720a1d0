// GetClip of 200 fragments (kvs-local, through the SDK) vs `ffmpeg -c copy` remuxing the same
// Matroska bytes into a fast-start MP4, and the backend's peak RSS while it builds the clip.
// kvs-local runs in a child process (disk store) so its memory is its own.
// Run: node bench/getclip.bench.ts
import { execFile, fork } from "node:child_process";
import { mkdtemp, open, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { CreateStreamCommand, KinesisVideoClient } from "@aws-sdk/client-kinesis-video";
import {
  GetClipCommand,
  KinesisVideoArchivedMediaClient,
} from "@aws-sdk/client-kinesis-video-archived-media";
import { withClusterTimecode } from "../src/local-kvs/demo/cluster-timecode.ts";
import { loadDemoClip } from "../src/local-kvs/demo/demo-sample.ts";
import { putMedia } from "../src/local-kvs/producer/put-media-client.ts";
import { concatBytes } from "../src/mkv/ebml/primitives.ts";
import { reportFigure } from "./support/report.ts";

const FRAGMENTS = 200;
const RUNS = 5;
const MB = 1024 * 1024;
const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
const CREDENTIALS = { accessKeyId: "bench", secretAccessKey: "bench" };
const run = promisify(execFile);

// ---- the kvs-local child: reports its RSS and resets its peak on request ----

interface Memory {
  rssMb: number;
  peakMb: number;
}

async function readMemory(): Promise<Memory> {
  const status = await readFile("/proc/self/status", "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
}

async function child(): Promise<void> {
  const { createLocalKvs } = await import("../src/local-kvs/index.ts");
  const dataDir = process.argv[3] as string;
  const kvs = await createLocalKvs({ port: 0, dataDir, getClipRatePerSecond: 0 });
  process.on("message", async (message: string) => {
    if (message === "reset-peak") await writeFile("/proc/self/clear_refs", "5");
    if (message === "stop") {
      await kvs.stop();
      process.exit(0);
    }
    process.send?.({ memory: await readMemory() });
  });
  process.send?.({ endpoint: kvs.endpoint });
}

// ---- the parent ----

interface Scenario {
  name: string;
  /** A producer MKV of exactly FRAGMENTS Clusters. */
  mkv: Uint8Array;
}

/** Loops a sample's Clusters, re-timed, until there are `FRAGMENTS` of them. */
async function loopedMkv(samplePath?: string): Promise<Uint8Array> {
  const clip = await loadDemoClip(samplePath);
  const ticksPerMs = 1e6 / clip.timecodeScaleNs;
  const parts = [clip.header];
  for (let i = 0; i < FRAGMENTS; i++) {
    const loop = Math.floor(i / clip.clusters.length);
    const cluster = clip.clusters[i % clip.clusters.length];
    if (!cluster) throw new Error("empty sample");
    const ms = loop * clip.loopMs + cluster.offsetMs;
    parts.push(withClusterTimecode(cluster.bytes, Math.round(ms * ticksPerMs)));
  }
  return concatBytes(parts);
}

/** 10 s of noisy 720p at ~3.6 Mbit/s, one GOP per second: ~0.45 MB Clusters. */
async function largeSample(dir: string): Promise<string> {
  const file = path.join(dir, "large-sample.mkv");
  await run("ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-y"],
    ...["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25:duration=10,noise=alls=24:allf=t"],
    ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=10"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "25", "-keyint_min", "25"],
    ...["-b:v", "3600k", "-maxrate", "3600k", "-bufsize", "3600k"],
    ...["-c:a", "aac", "-b:a", "96k", "-f", "matroska", file],
  ]);
  return file;
}

async function videoFrames(file: string): Promise<string> {
  const { stdout } = await run("ffprobe", [
    ...["-v", "error", "-select_streams", "v", "-count_packets"],
    ...["-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", file],
  ]);
  return stdout.trim();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "getclip-bench-"));
  const kvsProcess = fork(import.meta.filename, ["child", path.join(dir, "store")], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const replies: Array<(value: { endpoint?: string; memory?: Memory }) => void> = [];
  kvsProcess.on("message", (m: { endpoint?: string; memory?: Memory }) => replies.shift()?.(m));
  const ask = (message?: string) =>
    new Promise<{ endpoint?: string; memory?: Memory }>((resolve) => {
      replies.push(resolve);
      if (message) kvsProcess.send(message);
    });
  const memory = async (message = "memory") => (await ask(message)).memory as Memory;

  try {
    const endpoint = (await ask()).endpoint as string;
    const control = new KinesisVideoClient({
      endpoint,
      region: "us-east-1",
      credentials: CREDENTIALS,
    });
    const clips = new KinesisVideoArchivedMediaClient({
      endpoint,
      region: "us-east-1",
      credentials: CREDENTIALS,
    });
    const scenarios: Scenario[] = [
      { name: "demo sample x20 (320x240)", mkv: await loopedMkv() },
      { name: "720p 3.6 Mbit/s x20", mkv: await loopedMkv(await largeSample(dir)) },
    ];

    const rows: string[][] = [];
    for (const scenario of scenarios) {
      const stream = scenario.name.replace(/[^a-zA-Z0-9]+/g, "-").replace(/-$/, "");
      await control.send(new CreateStreamCommand({ StreamName: stream, DataRetentionInHours: 24 }));
      const session = putMedia({
        endpoint,
        streamName: stream,
        body: scenario.mkv,
        timecodeType: "RELATIVE",
        producerStartTimestampMs: T0,
      });
      let persisted = 0;
      for await (const ack of session.acks) if (ack.EventType === "PERSISTED") persisted++;
      await session.done;
      if (persisted !== FRAGMENTS) throw new Error(`${persisted} fragments persisted`);

      const input = path.join(dir, `${stream}.mkv`);
      await writeFile(input, scenario.mkv);

      const getClip = async (saveTo?: string) => {
        const out = await clips.send(
          new GetClipCommand({
            StreamName: stream,
            ClipFragmentSelector: {
              FragmentSelectorType: "PRODUCER_TIMESTAMP",
              TimestampRange: {
                StartTimestamp: new Date(T0),
                EndTimestamp: new Date(T0 + 3_600_000),
              },
            },
          }),
        );
        let bytes = 0;
        const file = saveTo ? await open(saveTo, "w") : undefined;
        try {
          for await (const chunk of out.Payload as AsyncIterable<Uint8Array>) {
            bytes += chunk.length;
            await file?.write(chunk);
          }
        } finally {
          await file?.close();
        }
        return bytes;
      };

      const clipFile = path.join(dir, `${stream}.getclip.mp4`);
      const clipBytes = await getClip(clipFile); // warm-up, kept for the frame count
      const idle = await memory();
      const clipTimes: number[] = [];
      let peakMb = 0;
      for (let i = 0; i < RUNS; i++) {
        await memory("reset-peak");
        const started = performance.now();
        await getClip();
        clipTimes.push(performance.now() - started);
        peakMb = Math.max(peakMb, (await memory()).peakMb);
      }

      const output = path.join(dir, `${stream}.ffmpeg.mp4`);
      const ffmpegTimes: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        await run("ffmpeg", [
          ...["-v", "error", "-y", "-i", input, "-map", "0", "-c", "copy"],
          ...["-movflags", "+faststart", output],
        ]);
        ffmpegTimes.push(performance.now() - started);
      }
      const ffmpegBytes = (await stat(output)).size;
      const frames = `${await videoFrames(clipFile)} / ${await videoFrames(output)}`;
      const getClipMs = median(clipTimes);
      const ffmpegMs = median(ffmpegTimes);
      reportFigure({
        figure: `kvs-local GetClip of ${FRAGMENTS} fragments, ${scenario.name} (${(scenario.mkv.length / MB).toFixed(0)} MB)`,
        value: `${getClipMs.toFixed(0)} ms`,
        reference: `ffmpeg -c copy ${ffmpegMs.toFixed(0)} ms`,
        ratio: getClipMs / ffmpegMs,
        note: `time ratio (lower is better); kvs-local RSS ${idle.rssMb.toFixed(0)} → ${peakMb.toFixed(0)} MB`,
      });
      rows.push([
        scenario.name,
        String(FRAGMENTS),
        (scenario.mkv.length / MB).toFixed(1),
        `${(clipBytes / MB).toFixed(1)} / ${(ffmpegBytes / MB).toFixed(1)}`,
        frames,
        getClipMs.toFixed(0),
        ffmpegMs.toFixed(0),
        (getClipMs / ffmpegMs).toFixed(2),
        `${idle.rssMb.toFixed(0)} → ${peakMb.toFixed(0)}`,
      ]);
    }
    control.destroy();
    clips.destroy();

    const header = [
      "scenario",
      "fragments",
      "MKV MB",
      "MP4 MB (GetClip / ffmpeg)",
      "video frames (GetClip / ffmpeg)",
      "GetClip ms",
      "ffmpeg -c copy ms",
      "ratio",
      "kvs-local RSS MB idle → peak",
    ];
    const widths = header.map((h, i) =>
      Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)),
    );
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
    console.log(
      `GetClip (SDK, end to end, median of ${RUNS}) vs ffmpeg -c copy -movflags +faststart`,
    );
    console.log(line(header));
    for (const row of rows) console.log(line(row));
  } finally {
    kvsProcess.send("stop");
    await new Promise((resolve) => kvsProcess.once("exit", resolve));
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "child") {
  await child();
} else {
  await main();
}
