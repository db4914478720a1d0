// A 30-minute range of the demo stream through one link: the gateway stitches the parts' GetClips
// into one fragmented MP4, checked with ffprobe against the parts themselves; a timelapse of it;
// HEAD, caching and a client that leaves.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { clipFileName } from "../../../src/gateway/clip-download-route.ts";
import { download } from "../../support/clips.ts";
import { ingestDemoRange } from "../../support/demo-ingest.ts";
import { executeHttp } from "../../support/graphql.ts";
import { ffprobe, packetsOf, topLevelBoxes } from "../../support/media.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { waitFor } from "../../support/wait.ts";
import { LongClipQuery } from "./documents.ts";

const STREAM = "demo-half-hour";
const SECONDS = 30 * 60;
/** Producer timestamps two hours back: settled, so the stitched clip may be cached. */
const T0 = Math.floor((Date.now() - 2 * 3_600_000) / 1000) * 1000;
const END = T0 + SECONDS * 1000 - 1;
const SPEED = 30;
const iso = (ms: number) => new Date(ms).toISOString();

let directory: string;
let stack: Stack;
/** Fragments ingested: one per Cluster of the looped sample. */
let fragments: number;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "clip-whole-range-"));
  stack = await startStack({
    // Each part is exactly one GetClip; the gateway's governor still spaces them (10 a second).
    kvs: { getClipRatePerSecond: 0 },
    gateway: {
      clips: {
        getClipRatePerSecond: 10,
        cache: { spillDirectory: directory, maxMemoryBytes: 16 * 1024 * 1024 },
      },
    },
  });
  fragments = await ingestDemoRange(stack.kvs, STREAM, { startMs: T0, seconds: SECONDS });
  expect(fragments).toBeGreaterThan(SECONDS * 0.99);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await rm(directory, { recursive: true, force: true });
});

async function clipOf(startMs: number, endMs: number) {
  const result = await executeHttp(stack.graphqlUrl, LongClipQuery, {
    name: STREAM,
    range: { start: iso(startMs), end: iso(endMs) },
    timestampType: "PRODUCER_TIMESTAMP",
    speed: SPEED,
  });
  const clip = result.data?.clip;
  if (clip?.__typename !== "Clip") throw new Error(`expected a Clip: ${JSON.stringify(result)}`);
  return clip;
}

async function saved(name: string, bytes: Uint8Array): Promise<string> {
  const file = path.join(directory, name);
  await writeFile(file, bytes);
  return file;
}

function neverBackwards(times: readonly number[]): boolean {
  return times.every((time, i) => i === 0 || time >= (times[i - 1] as number));
}

describe("one link for a range of many GetClips", () => {
  let whole: Buffer;

  it("streams one MP4 with every part's frames, the range's duration and rising timestamps", async () => {
    const clip = await clipOf(T0, END);
    expect(clip.fragmentCount).toBe(fragments);
    expect(clip.parts).toHaveLength(9);
    expect(clip.url).not.toBe(clip.parts[0]?.url);

    const getClipsBefore = stack.kvs.stats.count("GetClip");
    const file = await download(clip.url);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("video/mp4");
    expect(file.headers.get("content-length")).toBeNull();
    expect(file.headers.get("x-clip-source")).toBe("upstream");
    expect(file.headers.get("content-disposition")).toBe(
      // Named after the range it holds: the asked one narrowed to its first and last fragments.
      `attachment; filename="${STREAM}_${clip.range.start.replaceAll(":", "-")}_${clip.range.end.replaceAll(":", "-")}.mp4"`,
    );
    expect(stack.kvs.stats.count("GetClip") - getClipsBefore).toBe(clip.parts.length);
    whole = file.body;

    // The parts' own GetClips, for comparison.
    let partFrames = 0;
    let partBytes = 0;
    let partSeconds = 0;
    /** How much longer than their span on the producer's timeline the parts' GetClips play. */
    let getClipDrift = 0;
    for (const [index, part] of clip.parts.entries()) {
      const body = (await download(part.url)).body;
      partBytes += body.byteLength;
      const probedPart = await ffprobe(await saved(`part-${index}.mp4`, body));
      partFrames += probedPart.video?.frames ?? 0;
      partSeconds += probedPart.duration;
      if (index < clip.parts.length - 1) {
        const spanMs = Date.parse(part.range.end) + 1 - Date.parse(part.range.start);
        getClipDrift += probedPart.duration - spanMs / 1000;
      }
    }
    expect(partFrames).toBe(fragments * 15);

    const wholeFile = await saved("whole.mp4", whole);
    const boxes = await topLevelBoxes(wholeFile);
    expect(boxes.slice(0, 2)).toEqual(["ftyp", "moov"]);
    expect(boxes.filter((box) => box === "moof").length).toBeGreaterThan(SECONDS / 2);
    const probed = await ffprobe(wholeFile);
    expect(probed.formatName).toContain("mp4");
    expect(probed.video?.frames).toBe(partFrames);
    expect(probed.audio?.frames).toBeGreaterThan(0);
    // Parts laid end to end: as long as the parts together, which is the range within one
    // fragment (a second) plus what GetClip's own timelines add (kvs-local pushes a fragment that
    // would overlap the one before, by a few ms at a time: tens of ms per part for this sample).
    expect(Math.abs(probed.duration - partSeconds)).toBeLessThan(0.1);
    expect(getClipDrift).toBeLessThan(0.1 * clip.parts.length);
    expect(probed.duration).toBeGreaterThan(SECONDS - 1);
    expect(probed.duration - SECONDS).toBeLessThanOrEqual(1 + Math.max(0, getClipDrift));
    const video = await packetsOf(wholeFile, "v");
    const audio = await packetsOf(wholeFile, "a");
    expect(neverBackwards(video.map((p) => p.dts))).toBe(true);
    expect(neverBackwards(video.map((p) => p.pts))).toBe(true);
    expect(neverBackwards(audio.map((p) => p.dts))).toBe(true);
    // Continuous across part boundaries: no frame-to-frame step longer than a frame and a bit.
    const steps = video.slice(1).map((p, i) => p.pts - (video[i] as { pts: number }).pts);
    expect(Math.max(...steps)).toBeLessThan(0.1);
    // Remuxed, not re-encoded: the same media bytes, give or take the containers.
    expect(Math.abs(whole.byteLength - partBytes) / partBytes).toBeLessThan(0.05);
  });

  it("serves the finished, settled clip again from the disk cache, with byte ranges", async () => {
    const clip = await clipOf(T0, END);
    const getClipsBefore = stack.kvs.stats.count("GetClip");
    await waitFor(() => stack.services.clips.cache.fileBytes >= whole.byteLength, 10_000, "cache");
    const again = await download(clip.url);
    expect(again.headers.get("x-clip-source")).toBe("cache");
    expect(again.headers.get("content-length")).toBe(String(whole.byteLength));
    expect(again.body.equals(whole)).toBe(true);
    const slice = await download(clip.url, { headers: { Range: "bytes=1000-1999" } });
    expect(slice.status).toBe(206);
    expect(slice.headers.get("content-range")).toBe(`bytes 1000-1999/${whole.byteLength}`);
    expect(slice.body.equals(whole.subarray(1000, 2000))).toBe(true);
    expect(stack.kvs.stats.count("GetClip")).toBe(getClipsBefore);
  });

  it("answers HEAD with the headers and no call to KVS", async () => {
    const clip = await clipOf(T0 + 1000, END);
    const calls = () => stack.kvs.stats.count("GetClip") + stack.kvs.stats.count("ListFragments");
    const before = calls();
    const head = await fetch(clip.url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("video/mp4");
    expect(head.headers.get("accept-ranges")).toBe("bytes");
    expect(head.headers.get("content-disposition")).toContain(`${STREAM}_`);
    expect(calls()).toBe(before);
  });

  it("asks KVS for no further part once the client has left", async () => {
    const clip = await clipOf(T0 + 2000, END);
    const before = stack.kvs.stats.count("GetClip");
    const abort = new AbortController();
    const response = await fetch(clip.url, { signal: abort.signal });
    const reader = response.body?.getReader();
    const first = await reader?.read();
    expect(first?.value?.byteLength).toBeGreaterThan(0);
    abort.abort();
    const afterLeaving = stack.kvs.stats.count("GetClip") - before;
    // Time enough for several more parts at the governor's 10 a second.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(afterLeaving).toBe(1);
    expect(stack.kvs.stats.count("GetClip") - before).toBe(1);
  });

  it("cuts the transfer short, and logs why, when a later part's GetClip fails", async () => {
    const clip = await clipOf(T0 + 3000, END);
    const cachedBytes = stack.services.clips.cache.fileBytes;
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const response = await fetch(clip.url);
      expect(response.status).toBe(200);
      const reader = response.body?.getReader();
      if (!reader) throw new Error("no body");
      let received = (await reader.read()).value?.byteLength ?? 0;
      // The first part is in; the second part's GetClip answers 500.
      stack.kvs.faults.inject("GetClip", { kind: "status", status: 500 });
      const outcome = await (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return "complete";
          received += value.byteLength;
        }
      })().catch((error: unknown) => error);
      expect(outcome).toBeInstanceOf(Error);
      expect(received).toBeGreaterThan(1024 * 1024);
      await waitFor(() => logged.mock.calls.length > 0, 5_000, "the log line");
      expect(String(logged.mock.calls[0]?.[0])).toMatch(/broke off in part 2/);
      // A settled range, but an incomplete file: not kept.
      expect(stack.services.clips.cache.fileBytes).toBe(cachedBytes);
    } finally {
      logged.mockRestore();
      stack.kvs.faults.clear();
    }
  });

  it("makes a timelapse of key frames only, `speed` times shorter", async () => {
    const clip = await clipOf(T0, END);
    const timelapse = clip.timelapse;
    if (!timelapse) throw new Error("no timelapse");
    expect(timelapse.speed).toBe(SPEED);
    expect(timelapse.durationMs).toBe(Math.round((END - T0) / SPEED));
    const file = await download(timelapse.url);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-disposition")).toContain(`_timelapse-${SPEED}x.mp4"`);
    const name = await saved("timelapse.mp4", file.body);
    const probed = await ffprobe(name);
    expect(probed.audio).toBeUndefined();
    // The demo sample has one key frame per fragment, about a second apart: at 30× all are kept.
    expect(probed.video?.frames).toBe(fragments);
    const packets = await packetsOf(name, "v");
    expect(packets.every((p) => p.key)).toBe(true);
    expect(neverBackwards(packets.map((p) => p.pts))).toBe(true);
    expect(Math.abs(probed.duration - SECONDS / SPEED)).toBeLessThanOrEqual(1 / SPEED + 0.01);
    expect(file.body.byteLength).toBeLessThan(whole.byteLength / 4);
  });

  it("names a timelapse download after the stream, the range and the speed", () => {
    expect(
      clipFileName({
        streamArn: "arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam 1/1",
        startMs: 0,
        endMs: 60_000,
        assembly: { kind: "timelapse", speed: 60 },
      }),
    ).toBe("cam_1_1970-01-01T00-00-00.000Z_1970-01-01T00-01-00.000Z_timelapse-60x.mp4");
  });
});
