// Run: node bench/timeline.bench.ts
// Query throughput with the cross-request caches: `stream(name)` and `stream(name){ fragments }`
// (a settled range) through the gateway with warm caches, and with the caches off, next to a bare
// graphql-yoga server answering a constant field, all in this process and loaded by wrk in turn;
// then the KVS calls kvs-local counted for 1,000 of each query, warm and cold.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createSchema, createYoga } from "graphql-yoga";
import { pino } from "pino";
import { createGatewayApp, type GatewayApp } from "../src/gateway/app.ts";
import { clientConfig, startLocalKvs } from "../test/support/kvs-local.ts";
import { makeTestVideo } from "../test/support/media.ts";
import { fillStream } from "../test/support/seed.ts";
import { reportFigure } from "./support/report.ts";

const run = promisify(execFile);
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

interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
}

function millis(value: string): number {
  const match = /^([\d.]+)(us|ms|s)$/.exec(value.trim());
  if (!match) return Number.NaN;
  const n = Number(match[1]);
  return match[2] === "us" ? n / 1000 : match[2] === "s" ? n * 1000 : n;
}

async function wrk(url: string, query: string, dir: string): Promise<WrkResult> {
  const script = path.join(dir, `post-${Math.random().toString(36).slice(2)}.lua`);
  await writeFile(
    script,
    `wrk.method = "POST"\nwrk.body = ${JSON.stringify(JSON.stringify({ query }))}\nwrk.headers["Content-Type"] = "application/json"\n`,
  );
  const { stdout } = await run("wrk", [
    "-t2",
    `-c${CONNECTIONS}`,
    `-d${DURATION_S}s`,
    "--latency",
    "-s",
    script,
    url,
  ]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const p50 = millis(/\s50%\s+(\S+)/.exec(stdout)?.[1] ?? "");
  const p99 = millis(/\s99%\s+(\S+)/.exec(stdout)?.[1] ?? "");
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1];
  if (non2xx !== undefined) throw new Error(`wrk saw ${non2xx} non-2xx answers from ${url}`);
  return { rps, p50, p99 };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

const dir = await mkdtemp(path.join(tmpdir(), "bench-timeline-"));
const kvs = await startLocalKvs([]);
const video = await makeTestVideo(dir, { seconds: 60, fps: 5 });
await fillStream(kvs.endpoint, STREAM, video.bytes, T0);

const bare = createServer(
  createYoga({
    schema: createSchema({
      typeDefs: "type Query { ok: Boolean! }",
      resolvers: { Query: { ok: () => true } },
    }),
    logging: false,
    graphiql: false,
  }),
);
const bareUrl = await listen(bare);

async function gateway(caches: boolean): Promise<{ app: GatewayApp; url: string }> {
  const app = createGatewayApp({
    corsOrigins: [],
    clipSigningKeys: [{ id: "bench", secret: Buffer.alloc(32, 1) }],
    graphiql: false,
    endpointCache: { ttlMs: 45 * 60_000, max: 1000 },
    kvs: { ...clientConfig(kvs.endpoint), endpoint: kvs.endpoint },
    // wrk closes its connections mid-request at the end of a run: not worth a log line each.
    logger: pino({ level: "silent" }),
    ...(caches
      ? {}
      : {
          streamCache: { ttlMs: 0, max: 1 },
          fragmentWindows: { windowMs: 3_600_000, maxWindows: 0, maxBytes: 0 },
        }),
  });
  const address = await app.start(0, "127.0.0.1");
  return { app, url: address.graphqlUrl };
}

async function callsPer1000(url: string, query: string): Promise<Record<string, number>> {
  const before = kvs.stats.snapshot();
  for (let batch = 0; batch < 10; batch++) {
    await Promise.all(
      Array.from({ length: 100 }, async () => {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query }),
        });
        const body = (await response.json()) as { errors?: unknown };
        if (body.errors) throw new Error(JSON.stringify(body.errors));
      }),
    );
  }
  const after = kvs.stats.snapshot();
  const calls: Record<string, number> = {};
  for (const operation of ["DescribeStream", "ListFragments", "GetDataEndpoint"]) {
    calls[operation] = (after[operation] ?? 0) - (before[operation] ?? 0);
  }
  return calls;
}

const fmt = (r: WrkResult) =>
  `${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms`;

try {
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
