// npm start: configuration → the embedded local KVS backend (when no AWS is configured) →
// the gateway, listening until SIGINT/SIGTERM.

import { type Config, ConfigError, loadConfig } from "./config.ts";
import { createGatewayApp } from "./gateway/app.ts";
import type { GatewayOptions } from "./gateway/services.ts";
import { createLocalKvs, type LocalKvs } from "./local-kvs/index.ts";

/** kvs-local accepts any credentials; these keep the SDK from looking for real ones. */
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

function gatewayOptions(config: Config, localEndpoint: string | undefined): GatewayOptions {
  return {
    kvs: {
      region: config.kvs.region,
      endpoint: localEndpoint ?? (config.kvs.mode === "aws" ? config.kvs.endpoint : undefined),
      credentials: localEndpoint === undefined ? undefined : LOCAL_CREDENTIALS,
      maxAttempts: config.kvsMaxAttempts,
    },
    endpointCache: config.endpointCache,
    corsOrigins: config.corsOrigins,
    clipSigningKeys: config.clipSigningKeys,
    graphiql: config.graphiql,
    publicUrl: config.publicUrl,
    clips: config.clips,
    getMedia: config.getMedia,
    security: config.security,
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }

  let local: LocalKvs | undefined;
  if (config.kvs.mode === "local") {
    const settings = config.kvs.local;
    local = await createLocalKvs({
      port: settings.port,
      inMemory: settings.inMemory,
      ...(settings.dataDir === undefined ? {} : { dataDir: settings.dataDir }),
      demoStream: settings.demoStream,
      region: config.kvs.region,
      log: (line) => console.log(`[kvs-local] ${line}`),
    });
    const storage = settings.inMemory ? "in memory" : `in ${settings.dataDir}`;
    console.log(`kvs-local (embedded) at ${local.endpoint}, data ${storage}`);
  } else {
    console.log(
      `KVS: AWS ${config.kvs.region}${config.kvs.endpoint ? ` via ${config.kvs.endpoint}` : ""}`,
    );
  }

  for (const warning of config.warnings) console.warn(`WARNING: ${warning}`);
  if (config.security.authOffReason) console.warn(`NOTICE: ${config.security.authOffReason}`);

  const app = createGatewayApp(gatewayOptions(config, local?.endpoint));
  const address = await app.start(config.port, config.host);
  console.log(
    `GraphQL gateway: ${address.graphqlUrl} (GraphiQL in a browser; WebSocket ${address.wsUrl})`,
  );
  if (config.graphiql) console.log(`Live viewer: ${address.url}/viewer/`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    await app.stop();
    await local?.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

await main();
