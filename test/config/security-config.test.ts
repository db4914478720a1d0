// Secure defaults of the environment's security settings.
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe("security settings", () => {
  it("refuses to start against AWS without auth, unless AUTH=off says so (and then says so at start)", () => {
    expect(problemsOf({ AWS_REGION: "eu-west-1" })).toEqual([
      expect.stringContaining("Against AWS the gateway needs authentication"),
    ]);
    const off = loadConfig({ AWS_REGION: "eu-west-1", AUTH: "off" });
    expect(off.security.auth).toEqual({ mode: "off" });
    expect(off.security.authOffReason).toContain("AUTH=off");
  });

  it("lets the local demo run without auth on loopback only, and says so", () => {
    const local = loadConfig({});
    expect(local.security.auth).toEqual({ mode: "off" });
    expect(local.security.authOffReason).toContain("loopback");
    expect(problemsOf({ HOST: "0.0.0.0" })).toEqual([
      expect.stringContaining("Bound to 0.0.0.0 (not loopback), the gateway needs authentication"),
    ]);
  });

  it("gives every principal fair-share limits by default, and reads them from the environment", () => {
    expect(loadConfig({}).security.principalLimits).toEqual({
      windowSeconds: 60,
      operationsPerWindow: 300,
      upstreamCallsPerWindow: 1500,
      maxConcurrentDownloads: 4,
      maxPrivateSessionsPerStream: 1,
    });
    const set = loadConfig({
      RATE_LIMIT_WINDOW_SECONDS: "10",
      RATE_LIMIT_OPERATIONS: "20",
      RATE_LIMIT_KVS_CALLS: "30",
      MAX_DOWNLOADS_PER_PRINCIPAL: "2",
      MAX_PRIVATE_GETMEDIA_SESSIONS_PER_PRINCIPAL: "0",
      GETMEDIA_REPLAY_BUFFER_ENTRIES: "16",
    });
    expect(set.security.principalLimits).toEqual({
      windowSeconds: 10,
      operationsPerWindow: 20,
      upstreamCallsPerWindow: 30,
      maxConcurrentDownloads: 2,
      maxPrivateSessionsPerStream: 0,
    });
    expect(set.getMedia?.replayBufferEntries).toBe(16);
    expect(problemsOf({ RATE_LIMIT_OPERATIONS: "0" })).toEqual([
      expect.stringContaining("RATE_LIMIT_OPERATIONS"),
    ]);
  });

  it("reads API keys with their stream patterns and JWT settings", () => {
    const config = loadConfig({
      AWS_REGION: "eu-west-1",
      AUTH_API_KEYS: "cams:abcdefghijklmnopqrstuvwxyz:cam-*,lobby;ops:ABCDEFGHIJKLMNOPQRSTUVWXYZ:*",
      AUTH_JWT_SECRET: "x".repeat(32),
      AUTH_JWT_ISSUER: "https://issuer.example",
      AUTH_JWT_AUDIENCE: "kvs",
    });
    expect(config.security.auth).toMatchObject({
      mode: "on",
      apiKeys: [
        { id: "cams", streams: ["cam-*", "lobby"] },
        { id: "ops", streams: ["*"] },
      ],
      jwt: { issuer: "https://issuer.example", audience: "kvs", clockToleranceSeconds: 30 },
    });
    expect(
      problemsOf({ AWS_REGION: "eu-west-1", AUTH_JWT_SECRET: "short", AUTH_API_KEYS: "bad" }),
    ).toEqual(
      expect.arrayContaining([
        "AUTH_JWT_SECRET must be at least 32 bytes",
        expect.stringContaining("AUTH_API_KEYS must be"),
        expect.stringContaining("AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE"),
      ]),
    );
  });

  it("turns introspection and suggestions off against AWS by default, on for local development", () => {
    expect(loadConfig({ AWS_REGION: "eu-west-1", AUTH: "off" }).security.exposure).toEqual({
      introspection: false,
      suggestions: false,
    });
    expect(loadConfig({}).security.exposure).toEqual({ introspection: true, suggestions: true });
  });
});
