import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";

describe("loadConfig", () => {
  it("runs against an embedded kvs-local when nothing about AWS is set", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: "127.0.0.1",
      kvs: {
        mode: "local",
        region: "us-east-1",
        local: { inMemory: false, dataDir: ".data/kvs-local", port: 0, demoStream: true },
      },
      kvsMaxAttempts: 3,
      endpointCache: { ttlMs: 45 * 60 * 1000, max: 10_000 },
      corsOrigins: [],
      graphiql: true,
      publicUrl: undefined,
    });
    expect(config.clipSigningKeys).toEqual([{ id: "ephemeral", secret: expect.any(Buffer) }]);
    expect(config.clipSigningKeysGenerated).toBe(true);
  });

  it("talks to AWS when a region or an endpoint is set", () => {
    const config = loadConfig({
      AWS_REGION: "eu-west-1",
      AUTH: "off",
      KVS_ENDPOINT: "http://127.0.0.1:9999/",
      ENDPOINT_CACHE_TTL_SECONDS: "60",
      CORS_ORIGINS: "https://a.example.com, http://localhost:5173",
      CLIP_SIGNING_KEYS: `k2:${Buffer.alloc(32, 2).toString("base64")},k1:${Buffer.alloc(32, 1).toString("base64")}`,
    });
    expect(config.kvs).toEqual({
      mode: "aws",
      region: "eu-west-1",
      endpoint: "http://127.0.0.1:9999",
    });
    expect(config.endpointCache.ttlMs).toBe(60_000);
    expect(config.corsOrigins).toEqual(["https://a.example.com", "http://localhost:5173"]);
    expect(config.clipSigningKeys.map((key) => key.id)).toEqual(["k2", "k1"]);
  });

  it("reports every bad variable at once, by name", () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: "http",
        KVS_BACKEND: "aws",
        ENDPOINT_CACHE_MAX: "0",
        AWS_ENDPOINT_URL_KINESIS_VIDEO: "ftp://x",
        CORS_ORIGINS: "not a url",
        CLIP_SIGNING_KEYS: "k1:c2hvcnQ=",
        GETMEDIA_SUBSCRIBER_BUFFER: "0",
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect([...(error as ConfigError).problems].sort()).toEqual(
      [
        'AWS_ENDPOINT_URL_KINESIS_VIDEO must be an http(s) URL (got "ftp://x")',
        "AWS_REGION is required when the gateway talks to AWS (KVS_BACKEND=aws or an endpoint is set)",
        "Against AWS the gateway needs authentication: set AUTH_API_KEYS and/or AUTH_JWT_SECRET or AUTH_JWKS_URL (with AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE), or AUTH=off to run without it",
        'PORT must be an integer from 0 to 65535 (got "http")',
        'ENDPOINT_CACHE_MAX must be an integer from 1 to 1000000 (got "0")',
        'CORS_ORIGINS entries must be origins like https://app.example.com (got "not a url")',
        "CLIP_SIGNING_KEYS must be a comma-separated list of KEYID:BASE64SECRET with secrets of at least 32 bytes",
        'GETMEDIA_SUBSCRIBER_BUFFER must be an integer from 1 to 10000 (got "0")',
      ].sort(),
    );
  });
});
