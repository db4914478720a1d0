// Three gateway processes against one kvs-local and one Redis: 300 live subscribers to the demo
// stream spread over them make kvs-local serve exactly one GetMedia connection, and they all get
// the same fragments. Then kill -9 of the lease holder: another instance takes the lease and the
// survivors' subscribers get every fragment persisted meanwhile exactly once.
import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalKvs } from "../../../src/local-kvs/index.ts";
import {
  type GatewayProcess,
  healthOf,
  metricOf,
  spawnFleet,
} from "../../support/gateway-process.ts";
import { subscribeWs, wsClient } from "../../support/graphql.ts";
import { listFragments, startLocalKvs } from "../../support/kvs-local.ts";
import { startRedis, type TestRedis } from "../../support/redis.ts";
import {
  type FragmentReading,
  type FragmentsResults,
  readFragments,
  take,
} from "../../support/subscriptions.ts";
import { waitFor } from "../../support/wait.ts";
import { FragmentsSubscription } from "../subscriptions/documents.ts";

const SUBSCRIBERS = 300;
/** graphql-ws multiplexes: 10 subscriptions per socket, 30 sockets. */
const PER_SOCKET = 10;

let kvs: LocalKvs;
let redis: TestRedis;
let gateways: GatewayProcess[] = [];
const sockets: Client[] = [];
/** Readings by gateway index. */
const readings: FragmentReading[][] = [[], [], []];
/** Most GetMedia responses kvs-local had open at once, sampled every 20 ms. */
let maxOpenGetMedia = 0;
let sampler: NodeJS.Timeout | undefined;
/** Set by the SIGTERM test's poll once the survivor holds the lease. */
let tookOver = false;

beforeAll(async () => {
  kvs = await startLocalKvs([], { demoStream: true });
  redis = await startRedis();
  gateways = await spawnFleet(3, kvs.endpoint, redis.url, "fleet-test:", {
    REDIS_LEASE_TTL_MS: "1500",
  });
  sampler = setInterval(() => {
    maxOpenGetMedia = Math.max(maxOpenGetMedia, kvs.stats.inProgress("GetMedia"));
  }, 20);
}, 120_000);

afterAll(async () => {
  clearInterval(sampler);
  await Promise.all(readings.flat().map((reading) => reading.stop().catch(() => {})));
  for (const socket of sockets) await socket.dispose();
  await Promise.all(gateways.map((gateway) => gateway.kill()));
  await redis?.stop();
  await kvs?.stop();
}, 30_000);

/** Fragment numbers after `after`, as BigInt-ordered strings. */
const numbersAbove = (numbers: readonly string[], floor: bigint) =>
  numbers.filter((number) => BigInt(number) > floor);

const ascending = (values: readonly bigint[]) =>
  [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const maxOf = (values: readonly bigint[]) => ascending(values).at(-1) as bigint;
const minOf = (values: readonly bigint[]) => ascending(values)[0] as bigint;

describe("three gateway instances sharing one Redis", () => {
  it("serve 300 subscribers with one upstream GetMedia connection, all getting the same fragments", async () => {
    for (let i = 0; i < SUBSCRIBERS / PER_SOCKET; i++) {
      const index = i % 3;
      const socket = wsClient((gateways[index] as GatewayProcess).wsUrl);
      sockets.push(socket);
      for (let j = 0; j < PER_SOCKET; j++) {
        (readings[index] as FragmentReading[]).push(readFragments(socket, "demo"));
      }
    }
    const all = readings.flat();
    await waitFor(() => all.every((r) => r.received.length > 0), 30_000, "a first fragment each");
    // Every subscriber is in; from the last first fragment on, they must all see the same.
    const floor = maxOf(all.map((r) => BigInt(r.received[0] as string)));
    await waitFor(
      () => all.every((r) => numbersAbove(r.received, floor).length >= 3),
      30_000,
      "three more fragments each",
    );
    const ceiling = minOf(all.map((r) => BigInt(r.received.at(-1) as string)));
    const window = (r: FragmentReading) =>
      numbersAbove(r.received, floor).filter((number) => BigInt(number) <= ceiling);
    const reference = window(all[0] as FragmentReading);
    expect(reference.length).toBeGreaterThanOrEqual(3);
    for (const reading of all) {
      expect(window(reading)).toEqual(reference);
      expect(reading.others).toEqual([]);
      expect(new Set(reading.received).size).toBe(reading.received.length);
    }
    // kvs-local persisted exactly these fragments in that window: none lost, none added.
    const persisted = (await listFragments(kvs.endpoint, "demo"))
      .map((fragment) => fragment.FragmentNumber as string)
      .filter((number) => BigInt(number) > floor && BigInt(number) <= ceiling);
    expect(reference).toEqual(persisted);
    expect(maxOpenGetMedia).toBe(1);
    expect(kvs.stats.inProgress("GetMedia")).toBe(1);
    const health = await Promise.all(gateways.map(healthOf));
    expect(health.map((h) => h.mode)).toEqual(["cluster", "cluster", "cluster"]);
    expect(health.reduce((sum, h) => sum + (h.cluster?.leasesHeld ?? 0), 0)).toBe(1);
    const metric = (name: string, labels: Record<string, string> = {}) =>
      Promise.all(gateways.map((gateway) => metricOf(gateway, name, labels)));
    expect(await metric("kvs_gateway_cluster_leases_held")).toEqual(
      health.map((h) => h.cluster?.leasesHeld),
    );
    expect(await metric("kvs_gateway_cluster_redis_up")).toEqual([1, 1, 1]);
    expect(await metric("kvs_gateway_cluster_streams_followed", { mode: "fleet" })).toEqual([
      1, 1, 1,
    ]);
  }, 60_000);

  it("fails over when the lease holder is killed: survivors get every fragment exactly once", async () => {
    const health = await Promise.all(gateways.map(healthOf));
    const holder = health.findIndex((h) => (h.cluster?.leasesHeld ?? 0) === 1);
    expect(holder).toBeGreaterThanOrEqual(0);
    const survivors = [0, 1, 2].filter((index) => index !== holder);
    const killedAt = Date.now();
    await (gateways[holder] as GatewayProcess).kill("SIGKILL");

    let tookOverMs = 0;
    await waitFor(
      () => {
        void Promise.all(survivors.map((i) => healthOf(gateways[i] as GatewayProcess))).then(
          (states) => {
            if (tookOverMs === 0 && states.some((s) => s.cluster?.leasesHeld === 1)) {
              tookOverMs = Date.now() - killedAt;
            }
          },
          () => {},
        );
        return tookOverMs > 0;
      },
      10_000,
      "a surviving instance to take the lease",
    );
    // The README promises a new holder within the lease TTL (1.5 s here) plus a renewal period.
    expect(tookOverMs).toBeLessThan(5_000);

    const alive = survivors.flatMap((i) => readings[i] as FragmentReading[]);
    const killedFloor = maxOf(alive.map((r) => BigInt(r.received.at(-1) as string)));
    await waitFor(
      () => alive.every((r) => numbersAbove(r.received, killedFloor).length >= 3),
      30_000,
      "three fragments after the failover",
    );
    const persisted = (await listFragments(kvs.endpoint, "demo")).map(
      (fragment) => fragment.FragmentNumber as string,
    );
    for (const reading of alive) {
      const first = BigInt(reading.received[0] as string);
      const last = BigInt(reading.received.at(-1) as string);
      const expected = persisted.filter((n) => BigInt(n) >= first && BigInt(n) <= last);
      expect(reading.received).toEqual(expected);
      expect(reading.others).toEqual([]);
    }
    // One upstream connection again (the dead holder's was closed with its process).
    await waitFor(() => kvs.stats.inProgress("GetMedia") === 1, 5_000, "one GetMedia connection");
  }, 60_000);

  it("counts private sessions fleet-wide: the third one anywhere is refused at once", async () => {
    const alive = gateways.filter((gateway) => !gateway.exited);
    expect(alive.length).toBe(2);
    const [a, b] = alive as [GatewayProcess, GatewayProcess];
    const earliest = (gateway: GatewayProcess) => {
      const socket = wsClient(gateway.wsUrl);
      sockets.push(socket);
      return subscribeWs(socket, FragmentsSubscription, {
        name: "demo",
        start: { type: "EARLIEST" },
      }) as FragmentsResults;
    };
    // One private session on each instance: each process alone would allow a second one.
    const first = earliest(a);
    const second = earliest(b);
    expect((await take(first, 1))[0]?.__typename).toBe("FragmentEvent");
    expect((await take(second, 1))[0]?.__typename).toBe("FragmentEvent");
    const third = await take(earliest(a), 1);
    expect(third[0]).toMatchObject({
      __typename: "ConnectionLimitExceeded",
      code: "ConnectionLimitExceededException",
    });
    expect(kvs.stats.inProgress("GetMedia")).toBe(3);
    // One ends: its slot is free for the next, on the other instance.
    await first.return?.();
    await expect
      .poll(
        async () => {
          const next = earliest(b);
          const [event] = await take(next, 1);
          await next.return?.();
          return event?.__typename;
        },
        { timeout: 10_000, interval: 500 },
      )
      .toBe("FragmentEvent");
    await second.return?.();
  }, 60_000);

  it("hands the lease over on SIGTERM: the holder exits 0, the survivor's subscribers miss nothing", async () => {
    const aliveIndexes = [0, 1, 2].filter((i) => !(gateways[i] as GatewayProcess).exited);
    const health = await Promise.all(
      aliveIndexes.map((i) => healthOf(gateways[i] as GatewayProcess)),
    );
    const holder = aliveIndexes[health.findIndex((h) => h.cluster?.leasesHeld === 1)] as number;
    const survivor = aliveIndexes.find((i) => i !== holder) as number;
    const leaving = gateways[holder] as GatewayProcess;
    const exited = new Promise<number | null>((resolve) => leaving.child.once("exit", resolve));
    leaving.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    await waitFor(
      () => {
        void healthOf(gateways[survivor] as GatewayProcess).then(
          (h) => {
            tookOver = h.cluster?.leasesHeld === 1;
          },
          () => {},
        );
        return tookOver;
      },
      10_000,
      "the survivor to hold the lease",
    );
    const alive = readings[survivor] as FragmentReading[];
    const floor = maxOf(alive.map((r) => BigInt(r.received.at(-1) as string)));
    await waitFor(
      () => alive.every((r) => numbersAbove(r.received, floor).length >= 2),
      30_000,
      "fragments after the handover",
    );
    const persisted = (await listFragments(kvs.endpoint, "demo")).map(
      (fragment) => fragment.FragmentNumber as string,
    );
    for (const reading of alive) {
      const first = BigInt(reading.received[0] as string);
      const last = BigInt(reading.received.at(-1) as string);
      expect(reading.received).toEqual(
        persisted.filter((n) => BigInt(n) >= first && BigInt(n) <= last),
      );
    }
  }, 60_000);
});
