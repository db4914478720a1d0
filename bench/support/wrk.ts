// Query load with wrk (POST JSON, fixed connections and duration) and the reference it is read
// against: a bare graphql-yoga server answering a constant field on the same machine.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { createSchema, createYoga } from "graphql-yoga";

const run = promisify(execFile);

export interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
}

export interface WrkLoad {
  connections: number;
  durationS: number;
}

function millis(value: string): number {
  const match = /^([\d.]+)(us|ms|s)$/.exec(value.trim());
  if (!match) return Number.NaN;
  const n = Number(match[1]);
  return match[2] === "us" ? n / 1000 : match[2] === "s" ? n * 1000 : n;
}

/** Loads `url` with `query` for load.durationS; fails on any non-2xx answer. */
export async function wrk(
  url: string,
  query: string,
  dir: string,
  load: WrkLoad,
): Promise<WrkResult> {
  const script = path.join(dir, `post-${Math.random().toString(36).slice(2)}.lua`);
  await writeFile(
    script,
    `wrk.method = "POST"\nwrk.body = ${JSON.stringify(JSON.stringify({ query }))}\nwrk.headers["Content-Type"] = "application/json"\n`,
  );
  const { stdout } = await run("wrk", [
    "-t2",
    `-c${load.connections}`,
    `-d${load.durationS}s`,
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

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

/** A bare Yoga server answering `{ ok }`: the reference for the gateway's query throughput. */
export async function startBareYoga(): Promise<{ url: string; close(): void }> {
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
  const url = await listen(bare);
  return { url, close: () => bare.close() };
}

export const formatWrk = (r: WrkResult) =>
  `${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms`;

/** Counts requests per KVS operation (kvs-local's OperationStats). */
export interface KvsCallCounts {
  snapshot(): Record<string, number>;
}

/**
 * KVS calls (counted at kvs-local) that 1,000 POSTs of `query` make, in 10 batches of 100 at
 * once; every operation that was called, with its count.
 */
export async function kvsCallsPer1000(
  stats: KvsCallCounts,
  url: string,
  query: string,
): Promise<Record<string, number>> {
  const before = stats.snapshot();
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
  const after = stats.snapshot();
  const calls: Record<string, number> = {};
  for (const [operation, n] of Object.entries(after)) {
    const delta = n - (before[operation] ?? 0);
    if (delta > 0) calls[operation] = delta;
  }
  return calls;
}
