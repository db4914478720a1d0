// Clips of ranges longer than one GetClip: parts that, downloaded over plain HTTP, hold every
// fragment of the range exactly once (checked with ffprobe frame counts).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { download } from "../../support/clips.ts";
import { executeHttp } from "../../support/graphql.ts";
import { makeTestVideo, probe, type TestVideo } from "../../support/media.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { fillStream } from "../../support/seed.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { ClipQuery, StreamClipQuery } from "./documents.ts";

const FPS = 5;
const SECONDS = 250;
const STREAM = "long-range";
/** Producer timestamps two hours in the past: ingested in a second, as if recorded back then. */
const T0 = Math.floor((Date.now() - 2 * 3_600_000) / 1000) * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

let directory: string;
let video: TestVideo;
let small: Stack;
let standard: Stack;

beforeAll(async () => {
  directory = await scratchDirectory("clip-long-range-");
  video = await makeTestVideo(directory, { seconds: SECONDS, fps: FPS });
  // One gateway cuts parts at 64 fragments (so a 3-minute range needs three), the other at
  // GetClip's own limit of 200.
  // GetClip pacing is another test's subject: here the backend doesn't throttle, so each part
  // download is exactly one GetClip.
  const unthrottled = { kvs: { getClipRatePerSecond: 0 } };
  [small, standard] = await Promise.all([
    startStack({
      ...unthrottled,
      gateway: { clips: { partLimits: { maxFragments: 64 }, getClipRatePerSecond: 10 } },
    }),
    startStack({ ...unthrottled, gateway: { clips: { getClipRatePerSecond: 10 } } }),
  ]);
  const persisted = await Promise.all([
    fillStream(small.kvs.endpoint, STREAM, video.bytes, T0),
    fillStream(standard.kvs.endpoint, STREAM, video.bytes, T0),
  ]);
  expect(persisted).toEqual([SECONDS, SECONDS]);
});

afterAll(async () => {
  await Promise.all([small?.stop(), standard?.stop()]);
  await removeScratchDirectory(directory);
});

async function clipOf(stack: Stack, startMs: number, endMs: number) {
  const result = await executeHttp(stack.graphqlUrl, ClipQuery, {
    name: STREAM,
    range: { start: iso(startMs), end: iso(endMs) },
    timestampType: "PRODUCER_TIMESTAMP",
  });
  const clip = result.data?.clip;
  if (clip?.__typename !== "Clip")
    throw new Error(`expected a Clip, got ${JSON.stringify(result)}`);
  return clip;
}

describe("clips longer than one GetClip", () => {
  it("cuts a 3-minute range into parts that hold every fragment exactly once", async () => {
    const start = T0 + 10_000;
    const end = T0 + 190_000 - 1; // fragments starting at T0+10 s … T0+189 s: 180 of them
    const clip = await clipOf(small, start, end);
    expect(clip.fragmentCount).toBe(180);
    expect(clip.parts.map((part) => part.fragmentCount)).toEqual([64, 64, 52]);
    expect(clip.parts.map((part) => [part.range.start, part.range.end])).toEqual([
      [iso(start), iso(T0 + 74_000 - 1)],
      [iso(T0 + 74_000), iso(T0 + 138_000 - 1)],
      // The last part ends 1 ms after its last fragment's start (the range is snapped to its
      // fragments, and GetClip wants an end after the start even for a lone last fragment).
      [iso(T0 + 138_000), iso(T0 + 189_001)],
    ]);
    expect([clip.range.start, clip.range.end]).toEqual([iso(start), iso(T0 + 189_001)]);

    const getClipsBefore = small.kvs.stats.count("GetClip");
    let frames = 0;
    for (const [index, part] of clip.parts.entries()) {
      const file = await download(part.url);
      expect(file.status).toBe(200);
      expect(file.headers.get("content-type")).toBe("video/mp4");
      const probed = await probe(directory, `part-${index}.mp4`, file.body);
      expect(probed.formatName).toContain("mp4");
      expect(probed.videoFrames).toBe(part.fragmentCount * FPS);
      expect(probed.durationSeconds).toBeCloseTo(part.fragmentCount, 0);
      frames += probed.videoFrames;
    }
    expect(frames).toBe(180 * FPS);
    expect(small.kvs.stats.count("GetClip") - getClipsBefore).toBe(3);
  });

  it("gives the same answer through Stream.clip", async () => {
    const range = { start: iso(T0 + 10_000), end: iso(T0 + 190_000 - 1) };
    const top = await clipOf(small, T0 + 10_000, T0 + 190_000 - 1);
    const result = await executeHttp(small.graphqlUrl, StreamClipQuery, {
      name: STREAM,
      range,
      timestampType: "PRODUCER_TIMESTAMP",
    });
    const stream = result.data?.stream;
    if (stream?.__typename !== "Stream" || stream.clip?.__typename !== "Clip") {
      throw new Error(`expected a Stream with a Clip, got ${JSON.stringify(result)}`);
    }
    expect(stream.clip.parts.map((p) => [p.range, p.fragmentCount])).toEqual(
      top.parts.map((p) => [p.range, p.fragmentCount]),
    );
  });

  it("splits at GetClip's 200-fragment limit, which the backend enforces", async () => {
    const clip = await clipOf(standard, T0, T0 + SECONDS * 1000);
    expect(clip.parts.map((part) => part.fragmentCount)).toEqual([200, 50]);

    // The whole-range URL is both parts' GetClips stitched into one file.
    const whole = await probe(directory, "whole.mp4", (await download(clip.url)).body);
    expect(whole.videoFrames).toBe(250 * FPS);

    const parts = await Promise.all(clip.parts.map((part) => download(part.url)));
    const probed = await Promise.all(
      parts.map((file, i) => probe(directory, `std-${i}.mp4`, file.body)),
    );
    expect(probed.map((p) => p.videoFrames)).toEqual([200 * FPS, 50 * FPS]);
  });

  it("gives one part, with the clip's own URL, for a range within one GetClip", async () => {
    const clip = await clipOf(standard, T0 + 5_000, T0 + 15_000);
    expect(clip.fragmentCount).toBe(11);
    expect(clip.parts).toHaveLength(1);
    expect(clip.parts[0]?.url).toBe(clip.url);
    const file = await download(clip.url);
    expect(file.headers.get("content-disposition")).toBe(
      `attachment; filename="${STREAM}_${iso(T0 + 5_000).replaceAll(":", "-")}_${iso(T0 + 15_001).replaceAll(":", "-")}.mp4"`,
    );
    expect(Number(file.headers.get("content-length"))).toBe(file.body.byteLength);
    expect((await probe(directory, "short.mp4", file.body)).videoFrames).toBe(11 * FPS);
  });
});
