// Cluster mode settings: REDIS_URL turns it on; the prefix and lease TTL are validated, and a
// fleet without shared signing keys is warned about (its links would fail on other instances).
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";

const KEYS = `k1:${Buffer.alloc(32, 1).toString("base64")}`;

describe("cluster settings", () => {
  it("are off without REDIS_URL", () => {
    expect(loadConfig({}).cluster).toBeUndefined();
  });

  it("read REDIS_URL, REDIS_KEY_PREFIX and REDIS_LEASE_TTL_MS", () => {
    const config = loadConfig({
      REDIS_URL: "redis://127.0.0.1:6379",
      REDIS_KEY_PREFIX: "fleet-a:",
      REDIS_LEASE_TTL_MS: "5000",
      CLIP_SIGNING_KEYS: KEYS,
    });
    expect(config.cluster).toEqual({
      url: "redis://127.0.0.1:6379",
      keyPrefix: "fleet-a:",
      leaseTtlMs: 5000,
    });
    expect(config.warnings).toEqual([]);
    expect(loadConfig({ REDIS_URL: "redis://r:6379", CLIP_SIGNING_KEYS: KEYS }).cluster).toEqual({
      url: "redis://r:6379",
      keyPrefix: "kvs-gateway:",
      leaseTtlMs: 3000,
    });
  });

  it("refuses a URL that is not redis:// and a prefix with spaces", () => {
    let error: unknown;
    try {
      loadConfig({ REDIS_URL: "http://r:6379", REDIS_KEY_PREFIX: "a b" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^REDIS_URL must be a redis:\/\//),
      expect.stringMatching(/^REDIS_KEY_PREFIX must be/),
    ]);
  });

  it("warns when the instances would sign links with keys of their own", () => {
    expect(loadConfig({ REDIS_URL: "redis://r:6379" }).warnings).toEqual([
      expect.stringMatching(/^REDIS_URL is set but CLIP_SIGNING_KEYS is not/),
    ]);
  });
});
