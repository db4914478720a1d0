// npm start: configuration → the embedded local KVS backend (when no AWS is configured) →
// the gateway, listening until SIGINT/SIGTERM.

import { type Config, ConfigError, loadConfig } from "./config.ts";
import { createGatewayApp } from "./gateway/app.ts";
import { createLogger, type Logger } from "./gateway/observability/logger.ts";
import { type MetricsServer, startMetricsServer } from "./gateway/observability/metrics-route.ts";
import type { GatewayOptions } from "./gateway/services.ts";
import { removeStaleSpillDirectories } from "./kvs/clips/spill-dirs.ts";
import { createLocalKvs, type LocalKvs } from "./local-kvs/index.ts";

/** kvs-local accepts any credentials; these keep the SDK from looking for real ones. */
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

function gatewayOptions(
  config: Config,
  localEndpoint: string | undefined,
  logger: Logger,
): GatewayOptions {
  return {
    logger,
    metrics: {
      onGatewayPort: config.metrics.onGatewayPort,
      bearerToken: config.metrics.bearerToken,
    },
    kvs: {
      region: config.kvs.region,
      endpoint: localEndpoint ?? (config.kvs.mode === "aws" ? config.kvs.endpoint : undefined),
      credentials: localEndpoint === undefined ? undefined : LOCAL_CREDENTIALS,
      maxAttempts: config.kvsMaxAttempts,
    },
    endpointCache: config.endpointCache,
    streamCache: config.streamCache,
    fragmentWindows: config.fragmentWindows,
    corsOrigins: config.corsOrigins,
    clipSigningKeys: config.clipSigningKeys,
    graphiql: config.graphiql,
    publicUrl: config.publicUrl,
    clips: config.clips,
    images: config.images,
    getMedia: config.getMedia,
    sharedSubscriptionEvents: config.sharedSubscriptionEvents,
    security: config.security,
    cluster: config.cluster,
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

  const log = await createLogger(config.logging);

  const spill = config.clips.cache?.spillDirectory;
  if (spill !== undefined) {
    const removed = await removeStaleSpillDirectories(spill);
    if (removed.length > 0) log.info({ removed }, "removed stale clip spill directories");
  }

  let local: LocalKvs | undefined;
  if (config.kvs.mode === "local") {
    const settings = config.kvs.local;
    const kvsLocalLog = log.child({ component: "kvs-local" });
    local = await createLocalKvs({
      port: settings.port,
      inMemory: settings.inMemory,
      ...(settings.dataDir === undefined ? {} : { dataDir: settings.dataDir }),
      demoStream: settings.demoStream,
      region: config.kvs.region,
      log: (line) => kvsLocalLog.info(line),
    });
    const storage = settings.inMemory ? "in memory" : `in ${settings.dataDir}`;
    log.info(`kvs-local (embedded) at ${local.endpoint}, data ${storage}`);
  } else {
    log.info(
      `KVS: AWS ${config.kvs.region}${config.kvs.endpoint ? ` via ${config.kvs.endpoint}` : ""}`,
    );
  }

  if (config.cluster) {
    log.info(
      `Cluster mode: Redis ${redactUrl(config.cluster.url)}, key prefix ${config.cluster.keyPrefix}`,
    );
  }
  for (const warning of config.warnings) log.warn(`WARNING: ${warning}`);
  if (config.security.authOffReason) log.warn(`NOTICE: ${config.security.authOffReason}`);

  const app = createGatewayApp(gatewayOptions(config, local?.endpoint, log));
  const address = await app.start(config.port, config.host);
  log.info(
    `GraphQL gateway: ${address.graphqlUrl} (GraphiQL in a browser; WebSocket ${address.wsUrl})`,
  );
  if (config.graphiql) log.info(`Live viewer: ${address.url}/viewer/`);
  let metricsServer: MetricsServer | undefined;
  if (config.metrics.port !== undefined) {
    metricsServer = await startMetricsServer(
      config.metrics.port,
      config.metrics.host,
      config.metrics.bearerToken,
    );
    log.info(`Metrics: ${metricsServer.url}`);
  } else if (config.metrics.onGatewayPort) {
    log.info(
      `Metrics: ${address.url}/metrics${config.metrics.bearerToken ? " (bearer token)" : ""}`,
    );
  } else {
    log.warn(
      "Metrics: not served (HOST is not loopback): set METRICS_TOKEN to serve /metrics with a bearer token, or METRICS_PORT for a separate listener",
    );
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping (deadline ${config.shutdownDeadlineMs} ms)`);
    const report = await app.drain(config.shutdownDeadlineMs);
    await metricsServer?.stop();
    await local?.stop();
    log.info(report, "stopped");
    log.flush(() => process.exit(0));
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

await main();

/** A Redis URL without its password, for the log. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(invalid URL)";
  }
}
