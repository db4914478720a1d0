// How the download route hands the clip to a client: batched writes with backpressure must give a
// slow reader every byte in order, and a clip that breaks upstream must reach the client visibly
// cut short (never as a complete-looking response) and must not be cached.

import { createHash } from "node:crypto";
import { get } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { download } from "../../support/clips.ts";
import { executeHttp } from "../../support/graphql.ts";
import { makeTestVideo } from "../../support/media.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { fillStream } from "../../support/seed.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { ClipQuery } from "./documents.ts";

const STREAM = "send";
const SECONDS = 10;
/** Two hours ago: settled, so a complete download would be cached. */
const T0 = Math.floor((Date.now() - 2 * 3_600_000) / 1000) * 1000;
const iso = (ms: number) => new Date(ms).toISOString();
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

let directory: string;
let stack: Stack;

beforeAll(async () => {
  directory = await scratchDirectory("clip-send-");
  // ~2.5 MB: many upstream chunks, more than the route lets wait in a response.
  const video = await makeTestVideo(directory, {
    seconds: SECONDS,
    fps: 5,
    size: "320x240",
    bitrate: "2M",
  });
  // No pacing to wait out between the tests' GetClips.
  stack = await startStack({
    kvs: { getClipRatePerSecond: 0 },
    gateway: { clips: { getClipRatePerSecond: 50 } },
  });
  await fillStream(stack.kvs.endpoint, STREAM, video.bytes, T0);
});

afterAll(async () => {
  await stack?.stop();
  await removeScratchDirectory(directory);
});

async function clipUrl(startSecond: number, endSecond: number): Promise<string> {
  const result = await executeHttp(stack.graphqlUrl, ClipQuery, {
    name: STREAM,
    range: { start: iso(T0 + startSecond * 1000), end: iso(T0 + endSecond * 1000) },
    timestampType: "PRODUCER_TIMESTAMP",
  });
  const clip = result.data?.clip;
  if (clip?.__typename !== "Clip")
    throw new Error(`expected a Clip, got ${JSON.stringify(result)}`);
  return clip.url;
}

interface SlowRead {
  status: number;
  contentLength: number;
  body: Buffer;
  /** The response ended early (socket closed before Content-Length bytes). */
  cutShort: boolean;
}

/** Reads a download with a pause after every chunk, so the gateway's buffers fill up. */
function readSlowly(url: string, pauseMs: number): Promise<SlowRead> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      const chunks: Buffer[] = [];
      const finish = (cutShort: boolean) =>
        resolve({
          status: response.statusCode ?? 0,
          contentLength: Number(response.headers["content-length"]),
          body: Buffer.concat(chunks),
          cutShort,
        });
      response.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        response.pause();
        setTimeout(() => response.resume(), pauseMs);
      });
      response.on("end", () => finish(!response.complete));
      response.on("error", () => finish(true));
    }).on("error", reject);
  });
}

describe("sending a clip to the client", () => {
  // GetClip's MP4 carries its creation time, so two GetClips differ: the reference is the cache,
  // which holds exactly the bytes upstream sent during the slow download.
  it("gives a slow reader the whole clip, byte for byte", async () => {
    const url = await clipUrl(0, 5);
    const read = await readSlowly(url, 2);
    expect(read.status).toBe(200);
    expect(read.cutShort).toBe(false);
    expect(read.body.byteLength).toBe(read.contentLength);
    expect(read.body.byteLength).toBeGreaterThan(1_000_000);

    const cached = await download(url);
    expect(cached.headers.get("x-clip-source")).toBe("cache");
    expect(sha256(read.body)).toBe(sha256(cached.body));
  });

  it("cuts the response short when upstream breaks mid-clip, and caches nothing", async () => {
    const url = await clipUrl(5, SECONDS);
    stack.kvs.faults.inject("GetClip", { kind: "drop-after-bytes", bytes: 600_000 });
    const broken = await readSlowly(url, 0);
    expect(broken.status).toBe(200);
    expect(broken.cutShort).toBe(true);
    expect(broken.body.byteLength).toBeLessThan(broken.contentLength);

    // Not cached: the next download is a new GetClip, and complete.
    const again = await download(url);
    expect(again.status).toBe(200);
    expect(again.headers.get("x-clip-source")).toBe("upstream");
    expect(again.body.byteLength).toBe(broken.contentLength);
    const cached = await download(url);
    expect(cached.headers.get("x-clip-source")).toBe("cache");
    expect(sha256(cached.body)).toBe(sha256(again.body));
  });
});
