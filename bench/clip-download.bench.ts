// Downloading a large clip through the gateway's signed-URL route vs GetClip straight from the
// backend (kvs-local), with the gateway's peak memory. The gateway runs in a child process so
// its memory is its own; the backend and the downloading client run here.
// Run: node bench/clip-download.bench.ts

import { type ChildProcess, fork } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import {
  GetClipCommand,
  KinesisVideoArchivedMediaClient,
} from "@aws-sdk/client-kinesis-video-archived-media";
import { createGatewayApp } from "../src/gateway/app.ts";
import { createLocalKvs } from "../src/local-kvs/index.ts";
import { dataEndpoint } from "../test/support/kvs-local.ts";
import { makeTestVideo } from "../test/support/media.ts";
import { fillStream } from "../test/support/seed.ts";
import { consume, type Measured, viaGateway } from "./support/download.ts";
import { reportFigure } from "./support/report.ts";

const STREAM = "bench-clip";
const SECONDS = 90; // one fragment per second, ~0.9 MB each: one GetClip of ~80 MB
const BITRATE = "7M";
/** Direct and gateway downloads alternate, so each round compares the two under the same load. */
const RUNS = 9;
const MB = 1024 * 1024;
const CREDENTIALS = { accessKeyId: "bench", secretAccessKey: "bench" };

interface MemorySample {
  rss: number;
  heapUsed: number;
  arrayBuffers: number;
  /** Clip bytes the gateway's downloads hold (for late joiners and the cache). */
  retained: number;
}

type ChildMessage =
  | { type: "ready"; url: string }
  | { type: "peak"; idle: MemorySample; peak: MemorySample };

// ---- the gateway child ----

async function runGatewayChild(kvsEndpoint: string): Promise<void> {
  const app = createGatewayApp({
    kvs: { region: "us-east-1", endpoint: kvsEndpoint, credentials: CREDENTIALS, maxAttempts: 1 },
    endpointCache: { ttlMs: 45 * 60_000, max: 100 },
    corsOrigins: [],
    clipSigningKeys: [{ id: "bench", secret: Buffer.alloc(32, 1) }],
    graphiql: false,
    clips: { getClipRatePerSecond: 100 },
  });
  const address = await app.start(0, "127.0.0.1");
  const sample = (): MemorySample => {
    const usage = process.memoryUsage();
    const retained =
      app.services.clips.downloads.inFlightBytes + app.services.clips.cache.memoryBytes;
    return { rss: usage.rss, heapUsed: usage.heapUsed, arrayBuffers: usage.arrayBuffers, retained };
  };
  const idle = sample();
  let peak = sample();
  const timer = setInterval(() => {
    const now = sample();
    peak = {
      rss: Math.max(peak.rss, now.rss),
      heapUsed: Math.max(peak.heapUsed, now.heapUsed),
      arrayBuffers: Math.max(peak.arrayBuffers, now.arrayBuffers),
      retained: Math.max(peak.retained, now.retained),
    };
  }, 5);
  process.on("message", (message: { type: string }) => {
    if (message.type === "reset") peak = sample();
    if (message.type === "peak")
      process.send?.({ type: "peak", idle, peak } satisfies ChildMessage);
    if (message.type === "stop") {
      clearInterval(timer);
      void app.stop().then(() => process.exit(0));
    }
  });
  process.send?.({ type: "ready", url: address.url } satisfies ChildMessage);
}

// ---- the parent: backend, client, measurements ----

function nextMessage<T extends ChildMessage["type"]>(child: ChildProcess, type: T) {
  return new Promise<Extract<ChildMessage, { type: T }>>((resolve) => {
    const onMessage = (message: ChildMessage) => {
      if (message.type !== type) return;
      child.off("message", onMessage);
      resolve(message as Extract<ChildMessage, { type: T }>);
    };
    child.on("message", onMessage);
  });
}

async function direct(
  client: KinesisVideoArchivedMediaClient,
  range: { start: Date; end: Date },
  type: "SERVER_TIMESTAMP" | "PRODUCER_TIMESTAMP",
) {
  const t0 = performance.now();
  const output = await client.send(
    new GetClipCommand({
      StreamName: STREAM,
      ClipFragmentSelector: {
        FragmentSelectorType: type,
        TimestampRange: { StartTimestamp: range.start, EndTimestamp: range.end },
      },
    }),
  );
  if (!(output.Payload instanceof Readable)) throw new Error("GetClip gave no stream");
  return consume(output.Payload, t0);
}

async function clipUrl(
  gatewayUrl: string,
  range: { start: Date; end: Date },
  type: string,
): Promise<string> {
  const response = await fetch(`${gatewayUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: `query($range: TimeRange!, $type: TimestampType) {
        clip(name: "${STREAM}", range: $range, timestampType: $type) {
          __typename ... on Clip { url } ... on KvsError { code message }
        }
      }`,
      variables: {
        range: { start: range.start.toISOString(), end: range.end.toISOString() },
        type,
      },
    }),
  });
  const result = (await response.json()) as {
    data?: { clip?: { __typename: string; url?: string; message?: string } };
  };
  const clip = result.data?.clip;
  if (clip?.__typename !== "Clip" || !clip.url)
    throw new Error(`no clip: ${JSON.stringify(result)}`);
  return clip.url;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const mbps = (m: Measured) => m.bytes / MB / (m.ms / 1000);
/** After the first byte: the transfer alone, without the backend's remux before it. */
const transferMbps = (m: Measured) => m.bytes / MB / ((m.ms - m.firstByteMs) / 1000);
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

async function main(): Promise<void> {
  const directory = await mkdtemp(path.join(tmpdir(), "clip-bench-"));
  const kvs = await createLocalKvs({ port: 0, inMemory: true, getClipRatePerSecond: 0 });
  let child: ChildProcess | undefined;
  let client: KinesisVideoArchivedMediaClient | undefined;
  try {
    console.log(`making ${SECONDS} s of ${BITRATE}bit/s video and ingesting it through PutMedia …`);
    const video = await makeTestVideo(directory, {
      seconds: SECONDS,
      fps: 5,
      size: "640x480",
      bitrate: BITRATE,
    });
    const producerStart = Math.floor((Date.now() - 2 * 3_600_000) / 1000) * 1000;
    const ingestStart = Date.now();
    await fillStream(kvs.endpoint, STREAM, video.bytes, producerStart);
    // Server-timestamp range: recent, so not cacheable: every gateway download is a real GetClip.
    const live = { start: new Date(ingestStart - 1000), end: new Date(Date.now() - 1) };
    // Producer-timestamp range two hours back: settled, so the gateway caches it.
    const settled = {
      start: new Date(producerStart),
      end: new Date(producerStart + SECONDS * 1000),
    };

    child = fork(import.meta.filename, ["gateway", kvs.endpoint], {});
    const gatewayUrl = (await nextMessage(child, "ready")).url;
    client = new KinesisVideoArchivedMediaClient({
      endpoint: await dataEndpoint(kvs.endpoint, STREAM, "GET_CLIP"),
      region: "us-east-1",
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
    const liveUrl = await clipUrl(gatewayUrl, live, "SERVER_TIMESTAMP");
    const settledUrl = await clipUrl(gatewayUrl, settled, "PRODUCER_TIMESTAMP");

    // Warm-up: JIT, sockets, endpoint caches.
    await direct(client, live, "SERVER_TIMESTAMP");
    await viaGateway(liveUrl);

    const directRuns: Measured[] = [];
    const gatewayRuns: Measured[] = [];
    child.send({ type: "reset" });
    for (let run = 0; run < RUNS; run++) {
      directRuns.push(await direct(client, live, "SERVER_TIMESTAMP"));
      gatewayRuns.push(await viaGateway(liveUrl));
    }
    child.send({ type: "peak" });
    const streaming = await nextMessage(child, "peak");

    child.send({ type: "reset" });
    await viaGateway(settledUrl); // fills the cache
    const cachedRuns: Measured[] = [];
    for (let run = 0; run < RUNS; run++) cachedRuns.push(await viaGateway(settledUrl));
    child.send({ type: "peak" });
    const caching = await nextMessage(child, "peak");

    const size = directRuns[0]?.bytes ?? 0;
    if (gatewayRuns.some((r) => r.bytes !== size))
      throw new Error("the gateway served a different size");
    const directMbps = median(directRuns.map(mbps));
    const gatewayMbps = median(gatewayRuns.map(mbps));
    const cachedMbps = median(cachedRuns.map(mbps));
    console.log(`\nclip: ${mb(size)} (${SECONDS} fragments), median of ${RUNS} runs each\n`);
    console.log(
      `GetClip straight from kvs-local : ${directMbps.toFixed(1).padStart(7)} MB/s   first byte ${median(directRuns.map((r) => r.firstByteMs)).toFixed(0)} ms`,
    );
    console.log(
      `through the gateway (GetClip)   : ${gatewayMbps.toFixed(1).padStart(7)} MB/s   first byte ${median(gatewayRuns.map((r) => r.firstByteMs)).toFixed(0)} ms`,
    );
    console.log(`  ratio gateway / direct        : ${(gatewayMbps / directMbps).toFixed(2)}`);
    reportFigure({
      figure: `clip download (${mb(size)}) through the gateway's signed URL`,
      value: `${gatewayMbps.toFixed(1)} MB/s`,
      reference: `GetClip straight from kvs-local ${directMbps.toFixed(1)} MB/s`,
      ratio: gatewayMbps / directMbps,
    });
    reportFigure({
      figure: "clip download from the gateway's cache",
      value: `${cachedMbps.toFixed(0)} MB/s`,
      reference: `GetClip straight from kvs-local ${directMbps.toFixed(1)} MB/s`,
      ratio: cachedMbps / directMbps,
    });
    const directTransfer = median(directRuns.map(transferMbps));
    const gatewayTransfer = median(gatewayRuns.map(transferMbps));
    console.log(
      `  after the first byte (transfer only): direct ${directTransfer.toFixed(1)} MB/s, gateway ${gatewayTransfer.toFixed(1)} MB/s, ratio ${(gatewayTransfer / directTransfer).toFixed(2)}`,
    );
    // On a shared machine the load drifts between rounds: the ratio within each round is steadier
    // than the ratio of the medians.
    const paired = (f: (direct: Measured, gateway: Measured) => number) =>
      median(directRuns.map((d, i) => f(d, gatewayRuns[i] ?? d)));
    console.log(
      `  per round (median of gateway vs direct in the same round): throughput ratio ${paired((d, g) => mbps(g) / mbps(d)).toFixed(2)}, transfer ratio ${paired((d, g) => transferMbps(g) / transferMbps(d)).toFixed(2)}, first byte ${paired((d, g) => g.firstByteMs - d.firstByteMs).toFixed(0)} ms later`,
    );
    console.log(
      `through the gateway (cache hit) : ${cachedMbps.toFixed(1).padStart(7)} MB/s   first byte ${median(cachedRuns.map((r) => r.firstByteMs)).toFixed(0)} ms`,
    );
    const report = (label: string, { idle, peak }: { idle: MemorySample; peak: MemorySample }) =>
      console.log(
        `${label}: peak RSS ${mb(peak.rss)} (idle ${mb(idle.rss)}, +${mb(peak.rss - idle.rss)}), peak heap ${mb(peak.heapUsed)}, peak Buffers ${mb(peak.arrayBuffers)} (garbage not yet collected included), clip bytes held at peak ${mb(peak.retained)}`,
      );
    console.log("");
    report("gateway memory, streaming uncached clips", streaming);
    report("gateway memory, filling and serving the cache", caching);
  } finally {
    client?.destroy();
    if (child) {
      const exited = new Promise((resolve) => child?.once("exit", resolve));
      child.send({ type: "stop" });
      await exited;
    }
    await kvs.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

if (process.argv[2] === "gateway" && process.argv[3]) await runGatewayChild(process.argv[3]);
else await main();
