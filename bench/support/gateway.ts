// The gateway as the load benches run it: against a kvs-local, silent (wrk closes its connections
// mid-request at the end of a run: not worth a log line each), with the per-principal windows
// lifted (one load generator plays every client), and `options` on top.

import { pino } from "pino";
import { createGatewayApp, type GatewayApp } from "../../src/gateway/app.ts";
import type { GatewayOptions } from "../../src/gateway/services.ts";
import { clientConfig } from "../../test/support/kvs-local.ts";
import { LOAD_TEST_SECURITY } from "../../test/support/stack.ts";

export function loadBenchGateway(
  kvsEndpoint: string,
  options: Partial<GatewayOptions> = {},
): GatewayApp {
  return createGatewayApp({
    corsOrigins: [],
    clipSigningKeys: [{ id: "bench", secret: Buffer.alloc(32, 1) }],
    graphiql: false,
    endpointCache: { ttlMs: 45 * 60_000, max: 1000 },
    kvs: { ...clientConfig(kvsEndpoint), endpoint: kvsEndpoint },
    logger: pino({ level: "silent" }),
    security: LOAD_TEST_SECURITY,
    ...options,
  });
}
