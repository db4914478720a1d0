// Run: node bench/timeline.bench.ts
// Query throughput with the cross-request caches: `stream(name)` and `stream(name){ fragments }`
// (a settled range) through the gateway with warm caches, and with the caches off, next to a bare
// graphql-yoga server answering a constant field, all in this process and loaded by wrk in turn;
// then the KVS calls kvs-local counted for 1,000 of each query, warm and cold.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { GatewayApp } from "../src/gateway/app.ts";
import { startLocalKvs } from "../test/support/kvs-local.ts";
import { makeTestVideo } from "../test/support/media.ts";
import { fillStream } from "../test/support/seed.ts";
import { loadBenchGateway } from "./support/gateway.ts";
import { reportFigure } from "./support/report.ts";
import {
  formatWrk as fmt,
  kvsCallsPer1000,
  startBareYoga,
  type WrkResult,
  wrk as wrkLoad,
} from "./support/wrk.ts";

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 32;
const STREAM = "bench-timeline";
// A settled range: an hour of producer time a day ago holding 60 one-second fragments.
const T0 = Math.floor((Date.now() - 24 * 3_600_000) / 3_600_000) * 3_600_000;
const RANGE = `{start: "${new Date(T0).toISOString()}", end: "${new Date(T0 + 3_599_999).toISOString()}"}`;
const QUERIES = {
  "stream(name)": `{ stream(name: "${STREAM}") { ... on Stream { name status } } }`,
  "stream(name){ fragments }": `{ stream(name: "${STREAM}") { ... on Stream { fragments(range: ${RANGE}, timestampType: PRODUCER_TIMESTAMP, first: 100) { ... on FragmentConnection { edges { node { number sizeBytes } } } } } } }`,
};

const wrk = (url: string, query: string, dir: string): Promise<WrkResult> =>
  wrkLoad(url, query, dir, { connections: CONNECTIONS, durationS: DURATION_S });

const dir = await mkdtemp(path.join(tmpdir(), "bench-timeline-"));
const kvs = await startLocalKvs([]);
const video = await makeTestVideo(dir, { seconds: 60, fps: 5 });
await fillStream(kvs.endpoint, STREAM, video.bytes, T0);

const bare = await startBareYoga();
const bareUrl = bare.url;

async function gateway(caches: boolean): Promise<{ app: GatewayApp; url: string }> {
  const app = loadBenchGateway(
    kvs.endpoint,
    caches
      ? {}
      : {
          streamCache: { ttlMs: 0, max: 1 },
          fragmentWindows: { windowMs: 3_600_000, maxWindows: 0, maxBytes: 0 },
        },
  );
  const address = await app.start(0, "127.0.0.1");
  return { app, url: address.graphqlUrl };
}

/** The KVS calls of 1,000 queries, with every operation shown (0 when not called). */
async function callsPer1000(url: string, query: string): Promise<Record<string, number>> {
  const calls = await kvsCallsPer1000(kvs.stats, url, query);
  return Object.fromEntries(
    ["DescribeStream", "ListFragments", "GetDataEndpoint"].map((op) => [op, calls[op] ?? 0]),
  );
}

try {
  await wrkLoad(bareUrl, "{ ok }", dir, { connections: CONNECTIONS, durationS: 2 });
  const reference = await wrk(bareUrl, "{ ok }", dir);
  console.log(
    `Query throughput (wrk, ${CONNECTIONS} connections, ${DURATION_S} s each, Node ${process.versions.node}):`,
  );
  console.log(`  bare Yoga { ok }                          ${fmt(reference)}  (reference)`);
  const results: Array<[string, string, Record<string, number>]> = [];
  for (const caches of [true, false]) {
    const { app, url } = await gateway(caches);
    try {
      for (const [label, query] of Object.entries(QUERIES)) {
        const calls = await callsPer1000(url, query); // also warms the caches
        // A short unmeasured run first, so that neither side is measured while V8 is still
        // compiling its code (the first gateway measured would otherwise pay for the warm-up).
        await wrkLoad(url, query, dir, { connections: CONNECTIONS, durationS: 2 });
        const measured = await wrk(url, query, dir);
        const name = `${label} ${caches ? "warm caches" : "caches off"}`;
        console.log(
          `  ${name.padEnd(42)}${fmt(measured)}  ${(measured.rps / reference.rps).toFixed(2)}× bare`,
        );
        results.push([label, caches ? "warm" : "off", calls]);
        reportFigure({
          figure: `${label} throughput, ${caches ? "warm caches" : "caches off"}`,
          value: `${measured.rps.toFixed(0)} req/s (p50 ${measured.p50.toFixed(1)} ms, p99 ${measured.p99.toFixed(1)} ms)`,
          reference: `bare Yoga { ok } ${reference.rps.toFixed(0)} req/s (p99 ${reference.p99.toFixed(1)} ms)`,
          ratio: measured.rps / reference.rps,
          note: `KVS calls per 1,000 queries: ${Object.entries(calls)
            .map(([operation, count]) => `${operation} ${count}`)
            .join(", ")}${label === "stream(name)" && caches ? "; target ≥ 0.7×" : ""}`,
        });
      }
    } finally {
      await app.stop();
    }
  }
  console.log(
    'KVS calls per 1,000 queries (counted at kvs-local; the first includes the cold start; "caches off" still shares concurrent identical calls):',
  );
  for (const [label, mode, calls] of results) {
    const text = Object.entries(calls)
      .map(([operation, count]) => `${operation} ${count}`)
      .join(", ");
    console.log(`  ${`${label} (${mode})`.padEnd(42)}${text}`);
  }
  console.log("Target (issue 13): stream(name) with warm caches ≥ 0.7× bare Yoga.");
} finally {
  bare.close();
  await kvs.stop();
  await rm(dir, { recursive: true, force: true });
}
