// SIGTERM against `node src/main.ts` as deployed, while a live subscription and a clip download
// are both in flight: the subscription ends with its final ShuttingDown event and `complete`, the
// download (held back by its reader past the signal) still completes whole, as a valid MP4, within
// the deadline, and the process exits 0. A stale clip spill directory left by a dead process is
// removed at start while a live process's one is kept.

import { mkdir, readdir, stat } from "node:fs/promises";
import { get, type IncomingMessage } from "node:http";
import path from "node:path";
import { createClient } from "graphql-ws";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type GatewayProcess, spawnGateway } from "../../support/gateway-process.ts";
import { executeHttp } from "../../support/graphql.ts";
import { makeTestVideo, probe } from "../../support/media.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { fillStream } from "../../support/seed.ts";
import { ClipQuery } from "../clips/documents.ts";

const DEADLINE_SECONDS = 30;
let gateway: GatewayProcess | undefined;
let dir: string | undefined;

afterAll(async () => {
  gateway?.kill();
  await removeScratchDirectory(dir);
});

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

describe("SIGTERM", () => {
  it("ends a live subscription with ShuttingDown, lets a download in flight finish, removes stale spill dirs at start, exits 0", async () => {
    dir = await scratchDirectory("sigterm-");
    // pid 999999999 is not running; the test runner's own pid is.
    const stale = path.join(dir, "kvs-clips-999999999-abcdef");
    const live = path.join(dir, `kvs-clips-${process.pid}-abcdef`);
    await mkdir(stale);
    await mkdir(live);
    // 12 s at 4 Mbit/s: a clip of about 6 MB, more than socket buffers hold while unread.
    const video = await makeTestVideo(dir, {
      seconds: 12,
      fps: 10,
      size: "640x360",
      bitrate: "4M",
    });
    gateway = await spawnGateway({
      CLIP_CACHE_DIR: dir,
      SHUTDOWN_TIMEOUT_SECONDS: String(DEADLINE_SECONDS),
    });
    const running = gateway;
    expect(await exists(stale)).toBe(false);
    expect(await exists(live)).toBe(true);

    // The download: a clip of a recorded stream, its URL from the gateway.
    const t0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
    if (!running.kvsEndpoint) throw new Error(`no kvs-local endpoint in ${running.output()}`);
    await fillStream(running.kvsEndpoint, "recorded", video.bytes, t0);
    const answer = await executeHttp(running.graphqlUrl, ClipQuery, {
      name: "recorded",
      range: { start: new Date(t0).toISOString(), end: new Date(t0 + 12_000).toISOString() },
      timestampType: "PRODUCER_TIMESTAMP",
    });
    const clip = answer.data?.clip;
    if (clip?.__typename !== "Clip") throw new Error(JSON.stringify(answer));

    // The live subscription, on the demo camera.
    const client = createClient({ url: running.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    const events: Array<{ __typename?: string }> = [];
    let gotFragment: () => void = () => {};
    const firstFragment = new Promise<void>((resolve) => {
      gotFragment = resolve;
    });
    const completed = new Promise<void>((resolve, reject) => {
      client.subscribe<{ fragments: { __typename: string } }>(
        {
          query:
            'subscription { fragments(name: "demo") { __typename ... on ShuttingDown { message continuationToken } } }',
        },
        {
          next: (result) => {
            if (result.data) events.push(result.data.fragments);
            if (result.data?.fragments.__typename === "FragmentEvent") gotFragment();
          },
          error: reject,
          complete: resolve,
        },
      );
    });
    await firstFragment;

    // Start the download and stop reading it after its first bytes: it is in flight at SIGTERM.
    const response = await new Promise<IncomingMessage>((resolve, reject) =>
      get(clip.url, resolve).once("error", reject),
    );
    expect(response.statusCode).toBe(200);
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve) =>
      response.once("data", (chunk: Buffer) => {
        chunks.push(chunk);
        response.pause();
        resolve();
      }),
    );
    const signalled = performance.now();
    running.child.kill("SIGTERM");
    await completed;
    expect(events.at(-1)?.__typename).toBe("ShuttingDown");
    expect(events.slice(0, -1).every((event) => event.__typename === "FragmentEvent")).toBe(true);

    // The drain waits for the download: a second later the process is still there.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(running.child.exitCode).toBeNull();
    const body = await new Promise<Buffer>((resolve, reject) => {
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.once("end", () => resolve(Buffer.concat(chunks)));
      response.once("error", reject);
      response.resume();
    });
    expect(performance.now() - signalled).toBeLessThan(DEADLINE_SECONDS * 1000);
    const length = response.headers["content-length"];
    if (length !== undefined) expect(body.length).toBe(Number(length));
    expect(body.length).toBeGreaterThan(4 * 1024 * 1024);
    const probed = await probe(dir, "during-shutdown.mp4", body);
    expect(probed.formatName).toContain("mp4");
    expect(probed.videoFrames).toBe(video.seconds * video.fps);

    expect(await running.exitCode).toBe(0);
    expect(performance.now() - signalled).toBeLessThan(DEADLINE_SECONDS * 1000);
    await client.dispose();
  }, 90_000);
});

describe("a crash (SIGKILL)", () => {
  it("leaves its clip spill directory behind, and the next start removes it", async () => {
    const parent = await scratchDirectory("crash-");
    try {
      const video = await makeTestVideo(parent, { seconds: 4, fps: 10, bitrate: "4M" });
      // 1 MB of memory cache: the downloaded clip is kept on disk, in this process's directory.
      const env = {
        CLIP_CACHE_DIR: parent,
        CLIP_CACHE_MEMORY_MB: "1",
        KVS_LOCAL_DEMO_STREAM: "false",
      };
      const first = await spawnGateway(env);
      // Two hours back: a PRODUCER_TIMESTAMP range an hour old is settled, so its clip is cached.
      const t0 = Math.floor((Date.now() - 7_200_000) / 1000) * 1000;
      if (!first.kvsEndpoint) throw new Error(`no kvs-local endpoint in ${first.output()}`);
      await fillStream(first.kvsEndpoint, "recorded", video.bytes, t0);
      const answer = await executeHttp(first.graphqlUrl, ClipQuery, {
        name: "recorded",
        range: { start: new Date(t0).toISOString(), end: new Date(t0 + 4_000).toISOString() },
        timestampType: "PRODUCER_TIMESTAMP",
      });
      const clip = answer.data?.clip;
      if (clip?.__typename !== "Clip") throw new Error(JSON.stringify(answer));
      const downloaded = await fetch(clip.url);
      expect(downloaded.status).toBe(200);
      expect((await downloaded.arrayBuffer()).byteLength).toBeGreaterThan(1024 * 1024);
      const own = `kvs-clips-${first.child.pid}-`;
      const spilled = async () => (await readdir(parent)).filter((name) => name.startsWith(own));
      await waitForAsync(async () => (await spilled()).length === 1, "a spill directory");
      const [directory = ""] = await spilled();
      // The cache writes the clip to disk after the download has ended: wait for the file.
      await waitForAsync(
        async () => (await readdir(path.join(parent, directory))).length > 0,
        "the spilled clip",
      );
      first.child.kill("SIGKILL");
      expect(await first.exitCode).toBeNull();
      expect(await exists(path.join(parent, directory))).toBe(true);

      const second = await spawnGateway(env);
      try {
        expect(await exists(path.join(parent, directory))).toBe(false);
        expect(second.output()).toContain("removed stale clip spill directories");
      } finally {
        second.kill();
      }
    } finally {
      await removeScratchDirectory(parent);
    }
  }, 60_000);
});

async function waitForAsync(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
