// The shared GetDataEndpoint cache holds nothing about a key beyond its cached endpoint and a
// lookup under way: however many keys are evicted, its state stays within its bound. An answer
// fetched before an eviction still never refills the cache.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KvsClients } from "../../../src/kvs/core/clients.ts";
import { EndpointCache, type EndpointKey } from "../../../src/kvs/core/endpoints.ts";
import type { LocalKvs } from "../../../src/local-kvs/index.ts";
import { createStreams, kvsClients, startLocalKvs } from "../../support/kvs-local.ts";

const NAMES = Array.from({ length: 12 }, (_, i) => `bounded-${i}`);
const keyOf = (name: string): EndpointKey => ({ stream: { name }, api: "LIST_FRAGMENTS" });

let kvs: LocalKvs;
let clients: KvsClients;

beforeAll(async () => {
  kvs = await startLocalKvs();
  await createStreams(kvs.endpoint, NAMES);
  clients = kvsClients(kvs.endpoint);
});

afterAll(async () => {
  clients?.destroy();
  await kvs?.stop();
});

describe("EndpointCache state", () => {
  it("does not grow across many evictions of distinct keys", async () => {
    const cache = new EndpointCache(clients, { ttlMs: 60_000, max: 4 });
    for (let round = 0; round < 3; round++) {
      await Promise.all(NAMES.map((name) => cache.resolve(keyOf(name))));
      expect(cache.trackedKeys).toBeLessThanOrEqual(4);
      for (const name of NAMES) cache.evict(keyOf(name));
      expect(cache.trackedKeys).toBe(0);
    }
    for (let i = 0; i < 10_000; i++) cache.evict(keyOf(`never-looked-up-${i}`));
    expect(cache.trackedKeys).toBe(0);
  });

  it("does not cache an answer fetched before an eviction, and caches the one after", async () => {
    const cache = new EndpointCache(clients, { ttlMs: 60_000, max: 100 });
    const key = keyOf(NAMES[0] as string);
    const callsBefore = kvs.stats.count("GetDataEndpoint");
    const before = cache.resolve(key);
    cache.evict(key);
    expect(cache.trackedKeys).toBe(0);
    await before;
    expect(cache.size).toBe(0);

    const stale = cache.resolve(key);
    cache.evict(key);
    const fresh = cache.resolve(key);
    expect(await stale).toBe(await fresh);
    expect(cache.size).toBe(1);
    expect(cache.trackedKeys).toBe(1);
    expect(kvs.stats.count("GetDataEndpoint") - callsBefore).toBe(3);
  });

  it("does not cache an answer fetched before clear()", async () => {
    const cache = new EndpointCache(clients, { ttlMs: 60_000, max: 100 });
    const pending = cache.resolve(keyOf(NAMES[1] as string));
    cache.clear();
    await pending;
    expect(cache.size).toBe(0);
    expect(cache.trackedKeys).toBe(0);
  });
});
