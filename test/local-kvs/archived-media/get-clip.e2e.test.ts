// GetClip through @aws-sdk/client-kinesis-video-archived-media on the GET_CLIP data endpoint:
// real MP4s checked with ffprobe against the fragments the API promises.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import {
  GetClipCommand,
  type KinesisVideoArchivedMediaClient,
} from "@aws-sdk/client-kinesis-video-archived-media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalKvs } from "../../../src/local-kvs/index.ts";
import { getClipToFile, selector, spanSeconds } from "../../support/clips.ts";
import {
  archivedMedia,
  createStreams,
  listByProducer,
  startLocalKvs,
} from "../../support/kvs-local.ts";
import { decodes, ffprobe, topLevelBoxes } from "../../support/media.ts";
import {
  blockIsKey,
  blockTrack,
  buildMkv,
  demoSample,
  demoTracks,
  keyframeClusters,
  sampleClusters,
  withBlockTimecode,
} from "../../support/mkv.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { ingestAt } from "../../support/seed.ts";

/** Whole seconds, an hour ago: producer timestamps the tests choose. */
const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
const HOUR = 3_600_000;

let backend: LocalKvs;
let dir: string;
let clips: KinesisVideoArchivedMediaClient;
let fileCounter = 0;
const clipFile = () => path.join(dir, `clip-${++fileCounter}.mp4`);

const sample = demoSample();
const sampleVideoFrames = sample.clusters.reduce((n, c) => n + c.videoFrames, 0);
const sampleAudioFrames = sample.clusters.reduce((n, c) => n + c.audioFrames, 0);
const sampleOffsets = sampleClusters().map((c) => c.timecode);

beforeAll(async () => {
  backend = await startLocalKvs([], { getClipRatePerSecond: 0 });
  dir = await scratchDirectory("kvs-clip-test-");
  await createStreams(backend.endpoint, ["sample"]);
  await ingestAt(backend.endpoint, "sample", sample.bytes, T0);
  clips = await archivedMedia(backend.endpoint, "sample", "GET_CLIP");
});

afterAll(async () => {
  clips?.destroy();
  await backend?.stop();
  await removeScratchDirectory(dir);
});

/** GetClip of `stream` over [start, end] by producer time; the probe and the promised fragments. */
async function clipOf(stream: string, startMs: number, endMs: number) {
  const file = clipFile();
  const client =
    stream === "sample" ? clips : await archivedMedia(backend.endpoint, stream, "GET_CLIP");
  try {
    const contentType = await getClipToFile(client, stream, { startMs, endMs }, file);
    const promised = await listByProducer(backend.endpoint, stream, startMs, endMs);
    return { file, contentType, probe: await ffprobe(file), promised };
  } finally {
    if (client !== clips) client.destroy();
  }
}

describe("GetClip", () => {
  it("returns a fast-start MP4 of every fragment in range with all their frames", async () => {
    const { file, contentType, probe, promised } = await clipOf("sample", T0, T0 + 60_000);
    expect(contentType).toBe("video/mp4");
    expect(promised).toHaveLength(sample.clusters.length);
    expect(probe.formatName).toContain("mp4");
    expect(probe.video).toMatchObject({ codec: "h264", frames: sampleVideoFrames });
    expect(probe.audio).toMatchObject({ codec: "aac", frames: sampleAudioFrames });
    expect(probe.duration).toBeCloseTo(spanSeconds(promised), 1);
    // moov before mdat, so players can start while downloading.
    const boxes = await topLevelBoxes(file);
    expect(boxes.indexOf("moov")).toBeGreaterThan(-1);
    expect(boxes.indexOf("moov")).toBeLessThan(boxes.indexOf("mdat"));
    await decodes(file);
  });

  it("takes the stream by StreamARN as well", async () => {
    const arn = backend.store.getStreamByName("sample")?.streamArn;
    const out = await clips.send(
      new GetClipCommand({
        StreamARN: arn,
        ClipFragmentSelector: selector({ startMs: T0, endMs: T0 + 60_000 }),
      }),
    );
    const file = clipFile();
    await writeFile(file, (await out.Payload?.transformToByteArray()) ?? new Uint8Array());
    expect((await ffprobe(file)).video?.frames).toBe(sampleVideoFrames);
  });

  it("includes a fragment that starts exactly at StartTimestamp and one that ends after EndTimestamp", async () => {
    // Fragments 3..5 of the sample: start on fragment 3's first ms, end inside fragment 5.
    const start = T0 + (sampleOffsets[2] as number);
    const end = T0 + (sampleOffsets[4] as number) + 400;
    const { probe, promised } = await clipOf("sample", start, end);
    expect(promised.map((f) => f.ProducerTimestamp?.getTime())).toEqual(
      sampleOffsets.slice(2, 5).map((o) => T0 + o),
    );
    const frames = sample.clusters.slice(2, 5).reduce((n, c) => n + c.videoFrames, 0);
    expect(probe.video?.frames).toBe(frames);
    expect(probe.duration).toBeCloseTo(spanSeconds(promised), 1);
  });

  it("leaves out a fragment that starts one millisecond before StartTimestamp and keeps one starting at EndTimestamp", async () => {
    const start = T0 + (sampleOffsets[2] as number) + 1;
    const end = T0 + (sampleOffsets[4] as number);
    const { probe } = await clipOf("sample", start, end);
    const frames = sample.clusters.slice(3, 5).reduce((n, c) => n + c.videoFrames, 0);
    expect(probe.video?.frames).toBe(frames);
  });

  it("stops at the first 200 fragments of a longer range", async () => {
    await createStreams(backend.endpoint, ["many"]);
    const clusters = keyframeClusters(230, 100);
    await ingestAt(backend.endpoint, "many", buildMkv(demoTracks().slice(0, 1), clusters), T0);
    const { probe, promised } = await clipOf("many", T0, T0 + HOUR);
    expect(promised).toHaveLength(230);
    expect(probe.video?.frames).toBe(200);
    expect(probe.audio).toBeUndefined();
    // 200 fragments 100 ms apart: the 200th starts at 19.9 s.
    expect(probe.duration).toBeGreaterThanOrEqual(19.9);
    expect(probe.duration).toBeLessThan(20.2);
  });

  it("keeps the oldest ingestion of fragments that share a producer timestamp", async () => {
    await createStreams(backend.endpoint, ["dupes"]);
    await ingestAt(backend.endpoint, "dupes", sample.bytes, T0);
    // The same producer timestamps again, from a producer that now sends one frame per fragment.
    const keyframes = keyframeClusters(sample.clusters.length, 0);
    const retimed = buildMkv(
      demoTracks().slice(0, 1),
      sampleClusters().map((c, i) => ({
        timecode: c.timecode,
        blocks: keyframes[i]?.blocks ?? [],
      })),
    );
    await ingestAt(backend.endpoint, "dupes", retimed, T0);
    const { probe, promised } = await clipOf("dupes", T0, T0 + 60_000);
    expect(promised).toHaveLength(2 * sample.clusters.length);
    expect(probe.video?.frames).toBe(sampleVideoFrames);
    expect(probe.audio?.frames).toBe(sampleAudioFrames);
  });

  it("lays sessions whose cluster timecodes restart at 0 one after the other on the producer timeline", async () => {
    await createStreams(backend.endpoint, ["sessions"]);
    const loopMs = 10_000;
    await ingestAt(backend.endpoint, "sessions", sample.bytes, T0);
    await ingestAt(backend.endpoint, "sessions", sample.bytes, T0 + loopMs + 1000);
    const { file, probe, promised } = await clipOf("sessions", T0, T0 + 60_000);
    expect(promised).toHaveLength(2 * sample.clusters.length);
    expect(probe.video?.frames).toBe(2 * sampleVideoFrames);
    expect(probe.duration).toBeCloseTo(spanSeconds(promised), 1);
    await decodes(file);
  });
});

describe("GetClip timelines", () => {
  it("follows the producer clock even when it steps back between sessions (SERVER_TIMESTAMP)", async () => {
    await createStreams(backend.endpoint, ["clock-back"]);
    const serverStart = Date.now() - 1000;
    await ingestAt(backend.endpoint, "clock-back", sample.bytes, T0);
    // The second session's clock starts 5 s into the first one's media.
    await ingestAt(backend.endpoint, "clock-back", sample.bytes, T0 + 5000);
    // The store keeps server timestamps strictly increasing, so a fast upload runs a few ms
    // ahead of the clock; SERVER_TIMESTAMP ranges must end in the past.
    const arn = backend.store.getStreamByName("clock-back")?.streamArn ?? "";
    const lastServerMs = backend.store.latestFragment(arn)?.serverTimestampMs ?? 0;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastServerMs - Date.now() + 5)));
    const client = await archivedMedia(backend.endpoint, "clock-back", "GET_CLIP");
    const file = clipFile();
    try {
      await getClipToFile(
        client,
        "clock-back",
        { type: "SERVER_TIMESTAMP", startMs: serverStart, endMs: Date.now() },
        file,
      );
    } finally {
      client.destroy();
    }
    const probe = await ffprobe(file);
    expect(probe.video?.frames).toBe(2 * sampleVideoFrames);
    expect(probe.audio?.frames).toBe(2 * sampleAudioFrames);
    // Both sessions in full, the second after the first: about twice the sample's length.
    expect(probe.duration).toBeGreaterThan(
      2 * spanSeconds(await listByProducer(backend.endpoint, "sample", T0, T0 + 60_000)) - 0.2,
    );
    await decodes(file);
  });

  it("starts the clip at 0 when a block sits before its Cluster's timecode", async () => {
    await createStreams(backend.endpoint, ["early-block"]);
    const clusters = sampleClusters(1000).map((c, i) =>
      i === 0
        ? {
            ...c,
            blocks: [withBlockTimecode(c.blocks[0] as Uint8Array, -40), ...c.blocks.slice(1)],
          }
        : c,
    );
    await ingestAt(backend.endpoint, "early-block", buildMkv(demoTracks(), clusters), T0);
    const { file, probe } = await clipOf("early-block", T0, T0 + 60_000);
    expect(probe.video?.frames).toBe(sampleVideoFrames);
    expect(probe.audio?.frames).toBe(sampleAudioFrames);
    expect(probe.video?.start).toBeGreaterThanOrEqual(0);
    await decodes(file);
  });
});

describe("demo sample layout", () => {
  it("has one video key frame at the start of every Cluster", () => {
    for (const cluster of sample.clusters) {
      const video = cluster.blocks.filter((b) => blockTrack(b) === 1);
      expect(blockIsKey(video[0] as Uint8Array)).toBe(true);
      expect(video.filter(blockIsKey)).toHaveLength(1);
    }
  });
});
