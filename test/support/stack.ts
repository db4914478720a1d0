// A gateway in front of an in-memory kvs-local, both on port 0: what the gateway's end-to-end
// tests (and the subscription and clip tests) run against.

import { createGatewayApp, type GatewayApp } from "../../src/gateway/app.ts";
import {
  DEFAULT_PRINCIPAL_LIMITS,
  type PrincipalLimitSettings,
} from "../../src/gateway/security/principal-limits.ts";
import {
  EMBEDDED_SECURITY_DEFAULTS,
  type GatewaySecurity,
} from "../../src/gateway/security/settings.ts";
import type { GatewayOptions, GatewayServices } from "../../src/gateway/services.ts";
import type { LocalKvs, LocalKvsOptions } from "../../src/local-kvs/index.ts";
import { clientConfig, startLocalKvs } from "./kvs-local.ts";

export interface Stack {
  kvs: LocalKvs;
  app: GatewayApp;
  services: GatewayServices;
  /** Gateway base URL. */
  url: string;
  graphqlUrl: string;
  wsUrl: string;
  stop(): Promise<void>;
}

/**
 * The embedded security defaults with the per-principal windows and caps lifted: for load tests,
 * soaks and benches, where one test client plays a whole crowd (the limits have their own tests).
 */
export const LOAD_TEST_SECURITY: GatewaySecurity = {
  ...EMBEDDED_SECURITY_DEFAULTS,
  principalLimits: {
    ...DEFAULT_PRINCIPAL_LIMITS,
    operationsPerWindow: 10_000_000,
    upstreamCallsPerWindow: 10_000_000,
    maxConcurrentDownloads: 10_000,
    maxPrivateSessionsPerStream: 2,
  },
};

/**
 * The embedded defaults with API-key auth on: one key per entry of `keys` (id → key), each
 * allowed every stream, and `principalLimits` as given.
 */
export function apiKeySecurity(
  keys: Record<string, string>,
  principalLimits: PrincipalLimitSettings,
): GatewaySecurity {
  return {
    ...EMBEDDED_SECURITY_DEFAULTS,
    auth: {
      mode: "on",
      apiKeys: Object.entries(keys).map(([id, key]) => ({ id, key, streams: ["*"] })),
    },
    principalLimits,
  };
}

/** The same for a spawned `node src/main.ts` (see gateway-process.ts). */
export const LOAD_TEST_ENV: Record<string, string> = {
  RATE_LIMIT_OPERATIONS: "10000000",
  RATE_LIMIT_KVS_CALLS: "10000000",
  MAX_DOWNLOADS_PER_PRINCIPAL: "10000",
  MAX_PRIVATE_GETMEDIA_SESSIONS_PER_PRINCIPAL: "2",
};

export interface StackOptions {
  kvs?: Omit<LocalKvsOptions, "port" | "inMemory" | "dataDir">;
  gateway?: Partial<Omit<GatewayOptions, "kvs">> & { kvs?: Partial<GatewayOptions["kvs"]> };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const kvs = await startLocalKvs([], options.kvs);
  let app: GatewayApp | undefined;
  try {
    app = createGatewayApp({
      corsOrigins: [],
      clipSigningKeys: [{ id: "test", secret: Buffer.alloc(32, 7) }],
      graphiql: true,
      endpointCache: { ttlMs: 45 * 60 * 1000, max: 1000 },
      // The cross-request caches are off unless a test turns them on: most tests change streams
      // and fragments between queries and expect to see it at once.
      streamCache: { ttlMs: 0, max: 1 },
      fragmentWindows: { windowMs: 3_600_000, maxWindows: 0, maxBytes: 0 },
      ...options.gateway,
      kvs: {
        // One attempt: each injected fault reaches the gateway exactly once.
        ...clientConfig(kvs.endpoint),
        ...options.gateway?.kvs,
        endpoint: kvs.endpoint,
      },
    });
    const address = await app.start(0, "127.0.0.1");
    const started = app;
    return {
      kvs,
      app: started,
      services: started.services,
      ...address,
      async stop() {
        await started.stop();
        await kvs.stop();
      },
    };
  } catch (error) {
    await app?.stop();
    await kvs.stop();
    throw error;
  }
}
