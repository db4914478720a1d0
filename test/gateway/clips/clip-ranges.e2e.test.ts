// Byte ranges and HEAD on the download route, over plain HTTP: 206 with Content-Range for a single
// range of a cacheable clip (waiting for the cache fill when it isn't cached yet), 416 past its end,
// the whole clip for anything else, and HEAD with GET's headers as far as they are known without
// a GetClip.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clipDownloadUrl, parseRange, satisfy } from "../../../src/gateway/clip-download-route.ts";
import { download } from "../../support/clips.ts";
import { makeTestVideo } from "../../support/media.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { fillStream } from "../../support/seed.ts";
import { type Stack, startStack } from "../../support/stack.ts";

const STREAM = "ranged";
const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;

let directory: string;
let stack: Stack;
/** The whole settled clip, as a plain GET returns it. */
let whole: Buffer;
let settledUrl: string;

/** A signed URL for [T0 + startS, T0 + endS] (producer timestamps) or up to `endMs`. */
function urlFor(startS: number, endMs: number): string {
  const arn = stack.kvs.store.getStreamByName(STREAM)?.streamArn;
  if (arn === undefined) throw new Error("no stream");
  return clipDownloadUrl(
    stack.url,
    stack.services.clips.signer.sign({
      streamArn: arn,
      timestampType: "PRODUCER_TIMESTAMP",
      startMs: T0 + startS * 1000,
      endMs,
      expiresAtMs: Date.now() + 600_000,
    }),
  );
}

const getClips = () => stack.kvs.stats.count("GetClip");

beforeAll(async () => {
  directory = await scratchDirectory("clip-ranges-");
  const video = await makeTestVideo(directory, { seconds: 8, fps: 5 });
  stack = await startStack({
    kvs: { getClipRatePerSecond: 0 },
    gateway: {
      // Ranges that ended a second ago are settled (cacheable); pacing is not this test's subject.
      clips: { getClipRatePerSecond: 20, immutability: { producerTimestampSettleMs: 1000 } },
    },
  });
  await fillStream(stack.kvs.endpoint, STREAM, video.bytes, T0);
  settledUrl = urlFor(0, T0 + 3000);
  const first = await download(settledUrl);
  expect(first.status).toBe(200);
  expect(first.headers.get("accept-ranges")).toBe("bytes");
  whole = first.body;
  expect(whole.byteLength).toBeGreaterThan(1000);
});

afterAll(async () => {
  await stack?.stop();
  await removeScratchDirectory(directory);
});

describe("ranges of a cached clip", () => {
  it.each<[string, string, () => readonly [number, number]]>([
    ["the first two bytes", "bytes=0-1", () => [0, 1]],
    ["a middle slice", "bytes=100-599", () => [100, 599]],
    ["an open end", "bytes=1000-", () => [1000, whole.byteLength - 1]],
    ["a suffix", "bytes=-50", () => [whole.byteLength - 50, whole.byteLength - 1]],
    ["an end past the clip", "bytes=10-99999999999", () => [10, whole.byteLength - 1]],
    ["a suffix longer than the clip", "bytes=-99999999", () => [0, whole.byteLength - 1]],
  ])("answers %s with 206 and Content-Range", async (_case, range, offsets) => {
    const before = getClips();
    const [start, end] = offsets();
    const response = await download(settledUrl, { headers: { range } });
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe(`bytes ${start}-${end}/${whole.byteLength}`);
    expect(response.headers.get("content-length")).toBe(String(end - start + 1));
    expect(response.headers.get("accept-ranges")).toBe("bytes");
    expect(response.headers.get("content-type")).toBe("video/mp4");
    expect(response.headers.get("x-clip-source")).toBe("cache");
    expect(response.body).toEqual(whole.subarray(start, end + 1));
    expect(getClips()).toBe(before);
  });

  it.each([
    ["a start at the clip's end", () => `bytes=${whole.byteLength}-`],
    [
      "a start past the clip's end",
      () => `bytes=${whole.byteLength + 10}-${whole.byteLength + 20}`,
    ],
    ["an empty suffix", () => "bytes=-0"],
  ])("answers %s with 416 and the clip's size", async (_case, range) => {
    const response = await download(settledUrl, { headers: { range: range() } });
    expect(response.status).toBe(416);
    expect(response.headers.get("content-range")).toBe(`bytes */${whole.byteLength}`);
    expect(JSON.parse(response.body.toString())).toMatchObject({ error: "RangeNotSatisfiable" });
  });

  it.each([
    ["several ranges", { range: "bytes=0-1,5-6" }],
    ["a reversed range", { range: "bytes=5-2" }],
    ["another unit", { range: "items=0-1" }],
    ["a syntax error", { range: "bytes=abc" }],
    ["an If-Range it can't match", { range: "bytes=0-1", "if-range": '"some-etag"' }],
  ])("answers %s with the whole clip", async (_case, headers) => {
    const response = await download(settledUrl, { headers });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-range")).toBeNull();
    expect(response.body).toEqual(whole);
  });

  it("answers HEAD with GET's headers and no body, without calling KVS", async () => {
    const before = getClips();
    const response = await download(settledUrl, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe(String(whole.byteLength));
    expect(response.headers.get("accept-ranges")).toBe("bytes");
    expect(response.headers.get("content-type")).toBe("video/mp4");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="ranged_/);
    expect(response.body.byteLength).toBe(0);
    expect(getClips()).toBe(before);
  });
});

describe("ranges of a clip not cached yet", () => {
  it("fills the cache with one GetClip, then serves that range and later ones from it", async () => {
    const url = urlFor(1, T0 + 4000);
    const before = getClips();
    const first = await download(url, { headers: { range: "bytes=0-1" } });
    expect(first.status).toBe(206);
    expect(first.headers.get("x-clip-source")).toBe("upstream");
    const size = Number(first.headers.get("content-range")?.split("/")[1]);
    expect(first.headers.get("content-range")).toBe(`bytes 0-1/${size}`);
    expect(first.body.subarray(0, 2)).toEqual(Buffer.from([0, 0]));
    const next = await download(url, { headers: { range: "bytes=4-7" } });
    expect(next.status).toBe(206);
    expect(next.body.toString()).toBe("ftyp");
    expect(next.headers.get("x-clip-source")).toBe("cache");
    expect(getClips() - before).toBe(1);
  });

  it("answers a range of a clip that may still change with the whole clip", async () => {
    const url = urlFor(0, Date.now() + 60_000);
    const response = await download(url, { headers: { range: "bytes=0-1" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("accept-ranges")).toBe("none");
    expect(response.body.byteLength).toBe(Number(response.headers.get("content-length")));
    expect(response.body.subarray(4, 8).toString()).toBe("ftyp");
  });

  it("answers HEAD with the headers known without GetClip, and no KVS call", async () => {
    const before = getClips();
    const response = await download(urlFor(2, T0 + 5000), { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("video/mp4");
    expect(response.headers.get("content-length")).toBeNull();
    expect(response.headers.get("accept-ranges")).toBe("bytes");
    expect(response.body.byteLength).toBe(0);
    const unsettled = await download(urlFor(0, Date.now() + 60_000), { method: "HEAD" });
    expect(unsettled.status).toBe(200);
    expect(unsettled.headers.get("accept-ranges")).toBe("none");
    expect(getClips()).toBe(before);
  });
});

describe("parseRange and satisfy", () => {
  it("reads one byte range, tolerating spaces and case", () => {
    expect(parseRange("Bytes = 3 - 7")).toEqual({ kind: "from", first: 3, last: 7 });
    expect(parseRange("bytes=3-")).toEqual({ kind: "from", first: 3, last: undefined });
    expect(parseRange("bytes=-3")).toEqual({ kind: "suffix", length: 3 });
    expect(parseRange(undefined)).toBeUndefined();
    expect(parseRange("bytes=")).toBeUndefined();
    expect(parseRange("bytes=-")).toBeUndefined();
    expect(parseRange("bytes=1-2-3")).toBeUndefined();
  });

  it("clamps to the size and refuses what lies past it", () => {
    expect(satisfy({ kind: "from", first: 0, last: 10 }, 5)).toEqual({ start: 0, end: 4 });
    expect(satisfy({ kind: "from", first: 5, last: undefined }, 5)).toBe("unsatisfiable");
    expect(satisfy({ kind: "suffix", length: 2 }, 5)).toEqual({ start: 3, end: 4 });
    expect(satisfy({ kind: "suffix", length: 1 }, 0)).toBe("unsatisfiable");
  });
});
