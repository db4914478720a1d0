// Redis stopped and started again under three live gateway instances: no process exits, every
// subscriber keeps getting every fragment exactly once (each instance reads GetMedia itself
// while Redis is away), and the fleet goes back to one shared session when Redis returns.
import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalKvs } from "../../../src/local-kvs/index.ts";
import {
  type GatewayHealth,
  type GatewayProcess,
  healthOf,
  spawnFleet,
} from "../../support/gateway-process.ts";
import { wsClient } from "../../support/graphql.ts";
import { listFragments, startLocalKvs } from "../../support/kvs-local.ts";
import { startRedis, type TestRedis } from "../../support/redis.ts";
import { type FragmentReading, readFragments } from "../../support/subscriptions.ts";
import { waitFor } from "../../support/wait.ts";

let kvs: LocalKvs;
let redis: TestRedis;
let gateways: GatewayProcess[] = [];
const sockets: Client[] = [];
const readings: FragmentReading[] = [];

beforeAll(async () => {
  kvs = await startLocalKvs([], { demoStream: true });
  redis = await startRedis();
  gateways = await spawnFleet(3, kvs.endpoint, redis.url, "outage-test:", {
    REDIS_LEASE_TTL_MS: "1500",
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(readings.map((reading) => reading.stop().catch(() => {})));
  for (const socket of sockets) await socket.dispose();
  await Promise.all(gateways.map((gateway) => gateway.kill()));
  await redis?.stop();
  await kvs?.stop();
}, 30_000);

const lastOf = (reading: FragmentReading) => BigInt(reading.received.at(-1) ?? "0");
const ascending = (values: readonly bigint[]) =>
  [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** Waits until every reading got `count` more fragments than it has now. */
async function moreFragments(count: number, what: string): Promise<void> {
  const floor = ascending(readings.map(lastOf)).at(-1) as bigint;
  await waitFor(
    () =>
      readings.every(
        (reading) => reading.received.filter((n) => BigInt(n) > floor).length >= count,
      ),
    30_000,
    what,
  );
}

async function fleetHealth(): Promise<GatewayHealth[]> {
  return Promise.all(gateways.map(healthOf));
}

describe("Redis stopped and restarted under three instances", () => {
  it("keeps every subscription delivering each fragment once and resumes cluster mode", async () => {
    for (const gateway of gateways) {
      const socket = wsClient(gateway.wsUrl);
      sockets.push(socket);
      for (let i = 0; i < 5; i++) readings.push(readFragments(socket, "demo"));
    }
    await waitFor(() => readings.every((r) => r.received.length > 0), 30_000, "first fragments");
    await moreFragments(1, "a fragment through the fleet");
    expect(kvs.stats.inProgress("GetMedia")).toBe(1);

    await redis.stop();
    await waitFor(
      () => kvs.stats.inProgress("GetMedia") >= 2,
      15_000,
      "instances reading GetMedia themselves",
    );
    const during = await fleetHealth();
    expect(during.every((h) => h.cluster?.redis !== "ready")).toBe(true);
    await moreFragments(2, "fragments while Redis is away");

    await redis.start();
    await waitFor(
      () => kvs.stats.inProgress("GetMedia") === 1,
      20_000,
      "one shared GetMedia session again",
    );
    const after = await fleetHealth();
    expect(after.every((h) => h.cluster?.redis === "ready")).toBe(true);
    expect(after.reduce((sum, h) => sum + (h.cluster?.leasesHeld ?? 0), 0)).toBe(1);
    expect(after.every((h) => h.cluster?.streams.every((s) => s.mode === "fleet"))).toBe(true);
    await moreFragments(2, "fragments through the fleet again");

    expect(gateways.every((gateway) => !gateway.exited)).toBe(true);
    const persisted = (await listFragments(kvs.endpoint, "demo")).map(
      (fragment) => fragment.FragmentNumber as string,
    );
    for (const reading of readings) {
      const first = BigInt(reading.received[0] as string);
      const last = lastOf(reading);
      expect(reading.received).toEqual(
        persisted.filter((n) => BigInt(n) >= first && BigInt(n) <= last),
      );
      expect(reading.others).toEqual([]);
    }
  }, 90_000);
});
