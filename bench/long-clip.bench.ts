// A clip of ten GetClips through one gateway link, next to one GetClip straight from the backend:
// time to first byte, throughput, the stitched file's size next to the sum of its parts, and the
// gateway's peak RSS streaming ten parts next to one. Then the two ways to feed a timelapse:
// the parts' GetClips (what the gateway uses) or GetMediaForFragmentList of the same fragments.
// The gateway runs in a child process so its memory is its own; kvs-local and the client run here.
// Run: node bench/long-clip.bench.ts

import { type ChildProcess, fork } from "node:child_process";
import { Readable } from "node:stream";
import {
  GetClipCommand,
  GetMediaForFragmentListCommand,
  KinesisVideoArchivedMediaClient,
  ListFragmentsCommand,
} from "@aws-sdk/client-kinesis-video-archived-media";
import { createGatewayApp } from "../src/gateway/app.ts";
import { clipDownloadUrl } from "../src/gateway/clip-download-route.ts";
import { createLocalKvs } from "../src/local-kvs/index.ts";
import { GetMediaReader } from "../src/mkv/getmedia/reader.ts";
import { ingestDemoRange } from "../test/support/demo-ingest.ts";
import { dataEndpoint } from "../test/support/kvs-local.ts";
import { consume, type Measured, viaGateway } from "./support/download.ts";
import { reportFigure } from "./support/report.ts";

const STREAM = "bench-long-clip";
/** Ten parts of 200 one-second fragments. */
const SECONDS = 2000;
const RUNS = 3;
const MB = 1024 * 1024;
const CREDENTIALS = { accessKeyId: "bench", secretAccessKey: "bench" };

type ChildMessage =
  | { type: "ready"; url: string; arn?: string }
  | { type: "signed"; url: string }
  | { type: "peak"; startRss: number; peakRss: number };

type ParentMessage =
  | { type: "reset" }
  | { type: "peak" }
  | { type: "stop" }
  | { type: "sign"; arn: string; startMs: number; endMs: number };

// ---- the gateway child ----

async function runGatewayChild(kvsEndpoint: string): Promise<void> {
  const app = createGatewayApp({
    kvs: { region: "us-east-1", endpoint: kvsEndpoint, credentials: CREDENTIALS, maxAttempts: 1 },
    endpointCache: { ttlMs: 45 * 60_000, max: 100 },
    corsOrigins: [],
    clipSigningKeys: [{ id: "bench", secret: Buffer.alloc(32, 1) }],
    graphiql: false,
    // No spill directory: nothing stitched is cached, every download is real work.
    clips: { getClipRatePerSecond: 100 },
  });
  const address = await app.start(0, "127.0.0.1");
  let startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  let peakExternal = 0;
  const timer = setInterval(
    () => {
      const usage = process.memoryUsage();
      peakRss = Math.max(peakRss, usage.rss);
      peakExternal = Math.max(peakExternal, usage.arrayBuffers);
      if (process.env.BENCH_GC_EACH_MS) globalThis.gc?.();
    },
    Number(process.env.BENCH_GC_EACH_MS ?? 5),
  );
  process.on("message", (message: ParentMessage) => {
    if (message.type === "reset") {
      startRss = process.memoryUsage().rss;
      peakRss = startRss;
    }
    if (message.type === "peak") {
      process.send?.({ type: "peak", startRss, peakRss });
    }
    if (message.type === "sign") {
      const signed = app.services.clips.signer.sign({
        streamArn: message.arn,
        timestampType: "PRODUCER_TIMESTAMP",
        startMs: message.startMs,
        endMs: message.endMs,
        expiresAtMs: Date.now() + 3_600_000,
        assembly: { kind: "whole" },
      });
      process.send?.({ type: "signed", url: clipDownloadUrl(address.url, signed) });
    }
    if (message.type === "stop") {
      clearInterval(timer);
      void app.stop().then(() => process.exit(0));
    }
  });
  process.send?.({ type: "ready", url: address.url });
}

// ---- the parent ----

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

async function directGetClip(
  client: KinesisVideoArchivedMediaClient,
  startMs: number,
  endMs: number,
): Promise<Measured> {
  const t0 = performance.now();
  const output = await client.send(
    new GetClipCommand({
      StreamName: STREAM,
      ClipFragmentSelector: {
        FragmentSelectorType: "PRODUCER_TIMESTAMP",
        TimestampRange: { StartTimestamp: new Date(startMs), EndTimestamp: new Date(endMs) },
      },
    }),
  );
  if (!(output.Payload instanceof Readable)) throw new Error("GetClip gave no stream");
  return consume(output.Payload, t0);
}

interface ClipAnswer {
  url: string;
  streamArn: string;
  timelapse: { url: string };
  parts: Array<{ url: string; range: { start: string; end: string } }>;
}

async function clipOf(gatewayUrl: string, startMs: number, endMs: number): Promise<ClipAnswer> {
  const response = await fetch(`${gatewayUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: `query($range: TimeRange!) {
        clip(name: "${STREAM}", range: $range, timestampType: PRODUCER_TIMESTAMP, timelapse: { speed: 60 }) {
          __typename ... on Clip { url timelapse { url } parts { url range { start end } } }
          ... on KvsError { code message }
        }
        stream(name: "${STREAM}") { ... on Stream { arn } }
      }`,
      variables: {
        range: { start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() },
      },
    }),
  });
  const result = (await response.json()) as {
    data?: { clip?: ClipAnswer & { __typename: string }; stream?: { arn?: string } };
  };
  const clip = result.data?.clip;
  const arn = result.data?.stream?.arn;
  if (clip?.__typename !== "Clip" || arn === undefined)
    throw new Error(`no clip: ${JSON.stringify(result)}`);
  return { ...clip, streamArn: arn };
}

/** The GetMediaForFragmentList route to a timelapse: list the fragments, fetch them, find key frames. */
async function viaFragmentList(
  client: KinesisVideoArchivedMediaClient,
  startMs: number,
  endMs: number,
): Promise<{ ms: number; bytes: number; calls: number; fragments: number }> {
  const t0 = performance.now();
  const numbers: string[] = [];
  let calls = 0;
  let nextToken: string | undefined;
  do {
    calls++;
    const page = await client.send(
      new ListFragmentsCommand({
        StreamName: STREAM,
        MaxResults: 1000,
        ...(nextToken === undefined
          ? {
              FragmentSelector: {
                FragmentSelectorType: "PRODUCER_TIMESTAMP",
                TimestampRange: {
                  StartTimestamp: new Date(startMs),
                  EndTimestamp: new Date(endMs),
                },
              },
            }
          : { NextToken: nextToken }),
      }),
    );
    for (const fragment of page.Fragments ?? [])
      if (fragment.FragmentNumber) numbers.push(fragment.FragmentNumber);
    nextToken = page.NextToken || undefined;
  } while (nextToken !== undefined);
  let bytes = 0;
  let fragments = 0;
  for (let at = 0; at < numbers.length; at += 1000) {
    calls++;
    const output = await client.send(
      new GetMediaForFragmentListCommand({
        StreamName: STREAM,
        Fragments: numbers.slice(at, at + 1000),
      }),
    );
    if (!(output.Payload instanceof Readable)) throw new Error("no payload");
    const reader = new GetMediaReader();
    const count = (events: ReturnType<GetMediaReader["push"]>) => {
      for (const event of events) if (event.type === "fragment") fragments++;
    };
    for await (const chunk of output.Payload as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      count(reader.push(chunk));
    }
    count(reader.end());
  }
  return { ms: performance.now() - t0, bytes, calls, fragments };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const mbps = (m: Measured) => m.bytes / MB / (m.ms / 1000);
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
const line = (label: string, text: string) => console.log(`${label.padEnd(44)}: ${text}`);

async function main(): Promise<void> {
  const kvs = await createLocalKvs({ port: 0, inMemory: true, getClipRatePerSecond: 0 });
  let child: ChildProcess | undefined;
  let client: KinesisVideoArchivedMediaClient | undefined;
  try {
    const t0 = Math.floor((Date.now() - 2 * 3_600_000) / 1000) * 1000;
    console.log(`ingesting ${SECONDS} s of the demo stream through PutMedia …`);
    const fragments = await ingestDemoRange(kvs, STREAM, { startMs: t0, seconds: SECONDS });
    const end = t0 + SECONDS * 1000 - 1;

    child = fork(import.meta.filename, ["gateway", kvs.endpoint]);
    const gatewayUrl = (await nextMessage(child, "ready")).url;
    client = new KinesisVideoArchivedMediaClient({
      endpoint: await dataEndpoint(kvs.endpoint, STREAM, "GET_CLIP"),
      region: "us-east-1",
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
    const clip = await clipOf(gatewayUrl, t0, end);
    const [first] = clip.parts;
    if (first === undefined) throw new Error("no parts");
    const firstRange = {
      startMs: Date.parse(first.range.start),
      endMs: Date.parse(first.range.end),
    };
    child.send({ type: "sign", arn: clip.streamArn, ...firstRange } satisfies ParentMessage);
    const onePartStitched = (await nextMessage(child, "signed")).url;

    // Warm-up: JIT, sockets, endpoint caches.
    await directGetClip(client, firstRange.startMs, firstRange.endMs);

    /**
     * One download in a gateway process of its own (RSS hardly ever shrinks, so a peak is only
     * the download's own in a fresh process), after one warm-up download of the first part.
     */
    const inFreshGateway = async (url: string) => {
      const fresh = fork(import.meta.filename, ["gateway", kvs.endpoint], {
        execArgv: process.env.BENCH_GC_EACH_MS ? ["--expose-gc"] : [],
      });
      try {
        const origin = (await nextMessage(fresh, "ready")).url;
        const local = (link: string) => origin + link.slice(new URL(link).origin.length);
        await viaGateway(local(onePartStitched));
        fresh.send({ type: "reset" } satisfies ParentMessage);
        const measured = await viaGateway(local(url));
        fresh.send({ type: "peak" } satisfies ParentMessage);
        const { peakRss, startRss } = await nextMessage(fresh, "peak");
        return { measured, peakRss, growth: peakRss - startRss };
      } finally {
        const exited = new Promise((resolve) => fresh.once("exit", resolve));
        fresh.send({ type: "stop" } satisfies ParentMessage);
        await exited;
      }
    };
    const direct: Measured[] = [];
    type Run = { measured: Measured; peakRss: number; growth: number };
    const long: Run[] = [];
    const onePart: Run[] = [];
    for (let run = 0; run < RUNS; run++) {
      direct.push(await directGetClip(client, firstRange.startMs, firstRange.endMs));
      long.push(await inFreshGateway(clip.url));
      onePart.push(await inFreshGateway(onePartStitched));
    }
    let partsBytes = 0;
    for (const part of clip.parts) {
      const range = { startMs: Date.parse(part.range.start), endMs: Date.parse(part.range.end) };
      partsBytes += (await directGetClip(client, range.startMs, range.endMs)).bytes;
    }
    const stitchedBytes = long[0]?.measured.bytes ?? 0;

    console.log(
      `\n${fragments} fragments of the demo stream (${clip.parts.length} parts of ≤ 200), median of ${RUNS} runs\n`,
    );
    const describe = (m: Measured[]) =>
      `first byte ${median(m.map((r) => r.firstByteMs))
        .toFixed(0)
        .padStart(
          5,
        )} ms, ${median(m.map(mbps)).toFixed(1).padStart(6)} MB/s, ${mb(m[0]?.bytes ?? 0)} in ${median(m.map((r) => r.ms)).toFixed(0)} ms`;
    line("GetClip of one part, straight from kvs-local", describe(direct));
    line(
      `long clip (${clip.parts.length} parts) through the gateway`,
      describe(long.map((r) => r.measured)),
    );
    line("one part, stitched, through the gateway", describe(onePart.map((r) => r.measured)));
    reportFigure({
      figure: `long clip (${clip.parts.length} parts, ${fragments} fragments) through one gateway link`,
      value: `${median(long.map((r) => mbps(r.measured))).toFixed(1)} MB/s`,
      reference: `GetClip of one part direct ${median(direct.map(mbps)).toFixed(1)} MB/s`,
      ratio: median(long.map((r) => mbps(r.measured))) / median(direct.map(mbps)),
    });
    line(
      "stitched file vs the sum of its parts",
      `${mb(stitchedBytes)} vs ${mb(partsBytes)} (${((stitchedBytes / partsBytes - 1) * 100).toFixed(2)}%)`,
    );
    const rss = (runs: Run[]) => median(runs.map((r) => r.peakRss));
    const growth = (runs: Run[]) => median(runs.map((r) => r.growth));
    line(
      `gateway peak RSS: ${clip.parts.length} parts vs 1 part stitched`,
      `${mb(rss(long))} vs ${mb(rss(onePart))} (difference ${mb(rss(long) - rss(onePart))}); growth during the download ${mb(growth(long))} vs ${mb(growth(onePart))}`,
    );

    // Timelapse sources.
    console.log("");
    const viaGetClip = await inFreshGateway(clip.timelapse.url);
    const getClipUpstream = { ms: 0, bytes: 0 };
    for (const part of clip.parts) {
      const m = await directGetClip(
        client,
        Date.parse(part.range.start),
        Date.parse(part.range.end),
      );
      getClipUpstream.ms += m.ms;
      getClipUpstream.bytes += m.bytes;
    }
    const fragmentList = await viaFragmentList(client, t0, end);
    line(
      "timelapse (60×) through the gateway (GetClip)",
      `${mb(viaGetClip.measured.bytes)} in ${viaGetClip.measured.ms.toFixed(0)} ms, first byte ${viaGetClip.measured.firstByteMs.toFixed(0)} ms`,
    );
    line(
      "  upstream: the parts' GetClips",
      `${clip.parts.length} calls, ${mb(getClipUpstream.bytes)} in ${getClipUpstream.ms.toFixed(0)} ms`,
    );
    line(
      "  upstream: ListFragments + GetMediaForFragmentList",
      `${fragmentList.calls} calls, ${mb(fragmentList.bytes)} in ${fragmentList.ms.toFixed(0)} ms (read, ${fragmentList.fragments} fragments parsed; no remux)`,
    );
  } finally {
    client?.destroy();
    if (child) {
      const exited = new Promise((resolve) => child?.once("exit", resolve));
      child.send({ type: "stop" } satisfies ParentMessage);
      await exited;
    }
    await kvs.stop();
  }
}

if (process.argv[2] === "gateway" && process.argv[3]) await runGatewayChild(process.argv[3]);
else await main();
