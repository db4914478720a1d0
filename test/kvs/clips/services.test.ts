// createClipServices hands every clip option to the piece that uses it.

import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type ClipOptions, createClipServices } from "../../../src/kvs/clips/services.ts";
import { KvsClients } from "../../../src/kvs/core/clients.ts";
import { EndpointCache } from "../../../src/kvs/core/endpoints.ts";

const clients = new KvsClients({
  region: "us-east-1",
  endpoint: "http://127.0.0.1:1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});
const opened: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((services) => services.close()));
});

afterAll(() => clients.destroy());

function services(options: ClipOptions) {
  const created = createClipServices({
    clients,
    endpoints: new EndpointCache(clients, { ttlMs: 60_000, max: 10 }),
    signingKeys: [{ id: "k", secret: Buffer.alloc(32, 1) }],
    options,
  });
  opened.push(created);
  return created;
}

describe("createClipServices", () => {
  it("passes the join window to the downloads", () => {
    expect(services({ joinWindowBytes: 4096 }).downloads.joinWindowBytes).toBe(4096);
    expect(services({}).downloads.joinWindowBytes).toBe(8 * 1024 * 1024);
  });

  it("passes the cache bounds to the cache", () => {
    expect(services({ cache: { maxMemoryBytes: 1000 } }).cache.maxEntryBytes).toBe(1000);
  });
});
