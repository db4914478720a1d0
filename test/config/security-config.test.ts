// Secure defaults of the environment's security settings.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
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
    // Without GraphiQL nothing needs introspection: off unless asked for.
    expect(loadConfig({ GRAPHIQL: "false" }).security.exposure).toEqual({
      introspection: false,
      suggestions: false,
    });
    expect(
      loadConfig({ GRAPHIQL: "false", GRAPHQL_INTROSPECTION: "true" }).security.exposure,
    ).toEqual({ introspection: true, suggestions: false });
  });

  it("trusts no proxy by default, and reads TRUSTED_PROXIES as addresses and CIDR blocks", () => {
    expect(loadConfig({}).security.trustedProxies).toEqual([]);
    expect(
      loadConfig({ TRUSTED_PROXIES: "10.0.0.0/8, 192.0.2.7,fd00::/8" }).security.trustedProxies,
    ).toEqual(["10.0.0.0/8", "192.0.2.7", "fd00::/8"]);
    for (const bad of ["proxy.example", "10.0.0.0/33", "10.0.0.1/8/2", "::1/129"]) {
      expect(problemsOf({ TRUSTED_PROXIES: bad })).toEqual([
        expect.stringContaining("TRUSTED_PROXIES must be IP addresses or CIDR blocks"),
      ]);
    }
  });

  it("reads PERSISTED_OPERATIONS_FILE, refusing a file that is not id → parsable document", () => {
    const directory = mkdtempSync(path.join(tmpdir(), "trusted-config-"));
    const file = (name: string, text: string) => {
      const at = path.join(directory, name);
      writeFileSync(at, text);
      return at;
    };
    const good = file("good.json", JSON.stringify({ abc: "{ __typename }" }));
    const trusted = loadConfig({ PERSISTED_OPERATIONS_FILE: good }).security.trustedDocuments;
    expect([...(trusted?.documents ?? [])]).toEqual([["abc", "{ __typename }"]]);
    expect(trusted?.allowArbitrary).toBe(false);
    expect(loadConfig({}).security.trustedDocuments).toBeUndefined();
    for (const bad of [
      file("list.json", "[]"),
      file("broken.json", JSON.stringify({ abc: "{ __typename" })),
      file("id.json", JSON.stringify({ "a b": "{ __typename }" })),
      path.join(directory, "missing.json"),
    ]) {
      expect(problemsOf({ PERSISTED_OPERATIONS_FILE: bad })).toEqual([
        expect.stringContaining("PERSISTED_OPERATIONS_FILE must be"),
      ]);
    }
    expect(problemsOf({ PERSISTED_OPERATIONS_ALLOW_ARBITRARY: "true" })).toEqual([
      expect.stringContaining("needs PERSISTED_OPERATIONS_FILE"),
    ]);
  });
});
