// The Redis pieces of cluster mode against a real redis-server: fleet-wide private-session slots
// (capped, released, expiring with a dead holder), fleet-wide pacing across instances, the lease's
// token check on publishing, and local fallbacks while Redis is away.
import { RateLimiterMemory, RateLimiterRedis } from "rate-limiter-flexible";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FleetPacer } from "../../../src/kvs/cluster/fleet-pacer.ts";
import { ClusterKeys } from "../../../src/kvs/cluster/keys.ts";
import { FleetPrivateSlots } from "../../../src/kvs/cluster/private-slots.ts";
import { RedisConnection } from "../../../src/kvs/cluster/redis-connection.ts";
import { ACQUIRE_LEASE, PUBLISH_EVENT } from "../../../src/kvs/cluster/scripts.ts";
import type { StartGate } from "../../../src/kvs/core/pacer.ts";
import { startRedis, type TestRedis } from "../../support/redis.ts";
import { waitFor } from "../../support/wait.ts";

let redis: TestRedis;
const connections: RedisConnection[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const connection of connections) connection.close();
  await redis?.stop();
});

async function connect(): Promise<RedisConnection> {
  const connection = new RedisConnection({ url: redis.url });
  connections.push(connection);
  await waitFor(() => connection.state === "ready", 5_000, "Redis ready");
  return connection;
}

const keys = new ClusterKeys("unit:");

describe("fleet-wide private session slots", () => {
  it("caps slots across instances, frees them on release and when a holder dies", async () => {
    const [a, b] = [await connect(), await connect()];
    const slotsA = new FleetPrivateSlots({ redis: a, keys, instanceId: "a", ttlMs: 600 });
    const slotsB = new FleetPrivateSlots({ redis: b, keys, instanceId: "b", ttlMs: 600 });
    const first = await slotsA.acquire("s1", 2);
    const second = await slotsB.acquire("s1", 2);
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(await slotsB.acquire("s1", 2)).toBeNull();
    // Renewed while held: still full well past the TTL.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await slotsA.acquire("s1", 2)).toBeNull();
    second?.release();
    await expect.poll(() => slotsA.acquire("s1", 2).then((slot) => slot !== null)).toBe(true);
    // A holder that dies (its connection gone, no release) stops renewing: its slot expires.
    a.close();
    await expect
      .poll(() => slotsB.acquire("s1", 2).then((slot) => slot !== null), { timeout: 3_000 })
      .toBe(true);
  });
});

describe("fleet-wide pacing", () => {
  it("spaces starts on one key across instances", async () => {
    const never: StartGate = {
      acquire: () => Promise.reject(new Error("fallback must not be used")),
    };
    const pacers = await Promise.all(
      [0, 1, 2].map(
        async () =>
          new FleetPacer({
            redis: await connect(),
            keys,
            name: "unit",
            policy: { calls: 1, windowMs: 200 },
            fallback: never,
          }),
      ),
    );
    const started: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (pacers[i % 3] as FleetPacer)
          .acquire("stream-a")
          .then(() => started.push(performance.now() - t0)),
      ),
    );
    started.sort((x, y) => x - y);
    for (let i = 1; i < started.length; i++) {
      expect((started[i] as number) - (started[i - 1] as number)).toBeGreaterThanOrEqual(180);
    }
  });

  it("falls back to the local gate while Redis cannot be asked", async () => {
    const down = new RedisConnection({ url: "redis://127.0.0.1:1" });
    connections.push(down);
    let fallbacks = 0;
    const pacer = new FleetPacer({
      redis: down,
      keys,
      name: "unit",
      policy: { calls: 1, windowMs: 1000 },
      fallback: { acquire: async () => {} },
      onFallback: () => fallbacks++,
    });
    await pacer.acquire("k");
    expect(fallbacks).toBe(1);
    const slots = new FleetPrivateSlots({ redis: down, keys, instanceId: "x", ttlMs: 1000 });
    expect(await slots.acquire("k", 2)).not.toBeNull();
  });
});

describe("the GetMedia lease", () => {
  it("lets only the token holding the lease publish, with a fencing number per grant", async () => {
    const connection = await connect();
    const lease = keys.lease("s2");
    const fence = keys.fence("s2");
    const events = keys.events("s2");
    expect(Number(await connection.eval(ACQUIRE_LEASE, [lease, fence], ["t1", "300"]))).toBe(1);
    expect(Number(await connection.eval(ACQUIRE_LEASE, [lease, fence], ["t2", "300"]))).toBe(0);
    const publish = (token: string) =>
      connection.eval(PUBLISH_EVENT, [lease, events], [token, "100", "60000", "type", "x"]);
    expect(await publish("t1")).toMatch(/^\d+-\d+$/);
    expect(await publish("t2")).toBeNull();
    // t1 stops renewing: the lease lapses and the next grant has a higher fence.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(Number(await connection.eval(ACQUIRE_LEASE, [lease, fence], ["t2", "300"]))).toBe(2);
    expect(await publish("t1")).toBeNull();
  });
});

describe("the Redis client handed to other fleet-wide limiters", () => {
  it("backs rate-limiter-flexible's RateLimiterRedis across instances, with a local insurance", async () => {
    const limiter = (connection: RedisConnection) =>
      new RateLimiterRedis({
        storeClient: connection.client,
        useRedisPackage: true,
        keyPrefix: `${keys.prefix}principal`,
        points: 2,
        duration: 10,
        insuranceLimiter: new RateLimiterMemory({ points: 1, duration: 10 }),
      });
    const [a, b] = [limiter(await connect()), limiter(await connect())];
    await a.consume("alice");
    await b.consume("alice");
    await expect(a.consume("alice")).rejects.toMatchObject({ remainingPoints: 0 });
    const down = new RedisConnection({ url: "redis://127.0.0.1:1" });
    connections.push(down);
    // Redis away: the insurance limiter answers (1 point), nothing throws.
    const offline = limiter(down);
    await expect(offline.consume("bob")).resolves.toMatchObject({ remainingPoints: 0 });
    await expect(offline.consume("bob")).rejects.toMatchObject({ remainingPoints: 0 });
  });
});
