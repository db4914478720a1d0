// A client that goes away mid-download ends the upstream GetClip (seen at the backend), and a
// client that stops reading holds the upstream back instead of filling the gateway's memory.

import { get, type IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeHttp } from "../../support/graphql.ts";
import { makeTestVideo } from "../../support/media.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { fillStream } from "../../support/seed.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { waitFor } from "../../support/wait.ts";
import { ClipQuery } from "./documents.ts";

const STREAM = "big";
const SECONDS = 30;
const T0 = Math.floor((Date.now() - 2 * 3_600_000) / 1000) * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

let directory: string;
let stack: Stack;

beforeAll(async () => {
  directory = await scratchDirectory("clip-disconnect-");
  // About 1 MB per one-second fragment: a 30 MB clip outlasts every socket buffer on the way.
  const video = await makeTestVideo(directory, {
    seconds: SECONDS,
    fps: 5,
    size: "640x480",
    bitrate: "8M",
  });
  stack = await startStack();
  await fillStream(stack.kvs.endpoint, STREAM, video.bytes, T0);
});

afterAll(async () => {
  await stack?.stop();
  await removeScratchDirectory(directory);
});

async function bigClipUrl(): Promise<string> {
  const result = await executeHttp(stack.graphqlUrl, ClipQuery, {
    name: STREAM,
    range: { start: iso(T0), end: iso(T0 + SECONDS * 1000) },
    timestampType: "PRODUCER_TIMESTAMP",
  });
  const clip = result.data?.clip;
  if (clip?.__typename !== "Clip")
    throw new Error(`expected a Clip, got ${JSON.stringify(result)}`);
  expect(clip.sizeBytes).toBeGreaterThan(25_000_000);
  return clip.url;
}

/** Starts a download and resolves with the response once its first bytes arrived, then paused. */
function startDownload(url: string) {
  return new Promise<{ response: IncomingMessage; received: () => number; destroy: () => void }>(
    (resolve, reject) => {
      const request = get(url, (response) => {
        let received = 0;
        response.on("data", (chunk: Buffer) => {
          received += chunk.byteLength;
          if (!response.isPaused()) {
            response.pause();
            resolve({ response, received: () => received, destroy: () => request.destroy() });
          }
        });
        response.on("error", () => {});
      });
      request.on("error", reject);
    },
  );
}

describe("a clip download whose client stops reading or leaves", () => {
  it("holds the upstream back while the client does not read, and ends it when the client leaves", async () => {
    const url = await bigClipUrl();
    const download = await startDownload(url);
    expect(download.response.statusCode).toBe(200);
    const contentLength = Number(download.response.headers["content-length"]);
    expect(contentLength).toBeGreaterThan(25_000_000);

    // The client reads no more: buffers fill up, and the backend is left waiting mid-body.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stack.kvs.stats.inProgress("GetClip")).toBe(1);
    expect(download.received()).toBeLessThan(contentLength);
    // Backpressure, not buffering: the gateway holds at most a few chunks of the clip.
    expect(stack.services.clips.downloads.inFlightBytes).toBeLessThan(contentLength / 2);

    download.destroy();
    await waitFor(
      () => stack.kvs.stats.inProgress("GetClip") === 0,
      10_000,
      "the upstream GetClip to end",
    );
    expect(stack.kvs.stats.abandoned("GetClip")).toBe(1);
    await waitFor(
      () => stack.services.clips.downloads.inFlightCount === 0,
      5_000,
      "the download to be dropped",
    );
    expect(stack.services.clips.downloads.inFlightBytes).toBe(0);
  });

  it("serves the clip in full to a client that reads it all", async () => {
    const url = await bigClipUrl();
    const response = await fetch(url);
    const body = Buffer.from(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expect(body.byteLength).toBe(Number(response.headers.get("content-length")));
  });
});
