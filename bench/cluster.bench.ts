// Run: node bench/cluster.bench.ts
// Live fragment delivery through a fleet sharing one Redis, in one run: 1 gateway instance and
// then 3, each against its own kvs-local with the demo stream, 30 NOW subscribers per instance.
// Prints, per fleet size, the delivery lag (subscriber receive time − the fragment's server
// timestamp, p50/p99), the most GetMedia connections kvs-local had open at once, and the Redis
// round trips (commands of every instance, blocking reads and lease renewals included) per
// fragment delivered to the fleet.
import type { Client } from "graphql-ws";
import { FragmentsSubscription } from "../test/gateway/subscriptions/documents.ts";
import {
  externalKvsEnv,
  type GatewayProcess,
  metricOf,
  spawnGateway,
} from "../test/support/gateway-process.ts";
import { subscribeWs, wsClient } from "../test/support/graphql.ts";
import { startLocalKvs } from "../test/support/kvs-local.ts";
import { startRedis } from "../test/support/redis.ts";
import { LOAD_TEST_ENV } from "../test/support/stack.ts";
import { reportFigure } from "./support/report.ts";

const SUBSCRIBERS_PER_INSTANCE = 30;
const MEASURE_MS = 20_000;

interface Result {
  instances: number;
  fragments: number;
  lagP50: number;
  lagP99: number;
  maxGetMedia: number;
  redisPerFragment: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;

async function run(instances: number): Promise<Result> {
  const kvs = await startLocalKvs([], { demoStream: true });
  const redis = await startRedis();
  const gateways: GatewayProcess[] = [];
  const sockets: Client[] = [];
  const stops: Array<() => void> = [];
  try {
    for (let i = 0; i < instances; i++) {
      gateways.push(
        await spawnGateway({
          ...externalKvsEnv(kvs.endpoint),
          // One test client plays every viewer of the fleet.
          ...LOAD_TEST_ENV,
          REDIS_URL: redis.url,
          LOG_LEVEL: "info",
        }),
      );
    }
    const lags: number[] = [];
    const numbers = new Set<string>();
    let measuring = false;
    for (const gateway of gateways) {
      const socket = wsClient(gateway.wsUrl);
      sockets.push(socket);
      for (let i = 0; i < SUBSCRIBERS_PER_INSTANCE; i++) {
        const subscription = subscribeWs(socket, FragmentsSubscription, {
          name: "demo",
          start: { type: "NOW" },
        });
        stops.push(() => void subscription.return?.());
        void (async () => {
          for await (const result of subscription) {
            const event = result.data?.fragments;
            if (!measuring || event?.__typename !== "FragmentEvent") continue;
            numbers.add(event.fragmentNumber);
            lags.push(Date.now() - new Date(event.serverTimestamp as string).getTime());
          }
        })().catch(() => {});
      }
    }
    // Let every subscription start before measuring.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const commands = async () =>
      (
        await Promise.all(
          gateways.map((g) => metricOf(g, "kvs_gateway_cluster_redis_commands_total", {})),
        )
      ).reduce((a, b) => a + b, 0);
    const commandsBefore = await commands();
    let maxGetMedia = 0;
    const sampler = setInterval(() => {
      maxGetMedia = Math.max(maxGetMedia, kvs.stats.inProgress("GetMedia"));
    }, 20);
    measuring = true;
    await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
    measuring = false;
    clearInterval(sampler);
    const redisCommands = (await commands()) - commandsBefore;
    lags.sort((a, b) => a - b);
    return {
      instances,
      fragments: numbers.size,
      lagP50: percentile(lags, 50),
      lagP99: percentile(lags, 99),
      maxGetMedia,
      redisPerFragment: numbers.size === 0 ? Number.NaN : redisCommands / numbers.size,
    };
  } finally {
    for (const stop of stops) stop();
    for (const socket of sockets) await socket.dispose();
    await Promise.all(gateways.map((gateway) => gateway.kill()));
    await redis.stop();
    await kvs.stop();
  }
}

const results: Result[] = [];
for (const instances of [1, 3]) results.push(await run(instances));
console.log(
  `cluster mode, ${SUBSCRIBERS_PER_INSTANCE} NOW subscribers per instance, ${MEASURE_MS / 1000} s of the demo stream`,
);
console.log(
  "instances  fragments  lag p50 ms  lag p99 ms  GetMedia conns  Redis round trips/fragment",
);
const [single, fleet] = results;
if (single && fleet) {
  reportFigure({
    figure: "live fragment delivery lag p99 (cluster mode)",
    value: `3 instances ${fleet.lagP99} ms (p50 ${fleet.lagP50} ms), ${fleet.maxGetMedia} GetMedia connection`,
    reference: `1 instance ${single.lagP99} ms (p50 ${single.lagP50} ms)`,
    ratio: fleet.lagP99 / single.lagP99,
    note: `${fleet.redisPerFragment.toFixed(1)} Redis round trips per fragment`,
  });
}
for (const r of results) {
  console.log(
    `${String(r.instances).padStart(9)}  ${String(r.fragments).padStart(9)}  ${String(r.lagP50).padStart(10)}  ${String(r.lagP99).padStart(10)}  ${String(r.maxGetMedia).padStart(14)}  ${r.redisPerFragment.toFixed(1).padStart(26)}`,
  );
}
process.exit(0);
