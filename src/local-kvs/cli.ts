// `npm run kvs-local -- --port N --data-dir DIR` (or `--in-memory`): runs the local KVS backend
// alone and prints the endpoint to pass as --endpoint-url / the SDK's `endpoint`.

import { parseArgs } from "node:util";
import { createLocalKvs } from "./index.ts";

const USAGE = `Usage: npm run kvs-local -- [--port N] [--host H] (--data-dir DIR | --in-memory)
                            [--region R] [--account-id ID] [--demo] [--quiet]
                            [--get-media-session-max-seconds S] [--get-media-rate N]
                            [--get-media-connection-limit N] [--get-clip-rate N]
                            [--get-images-rate N]
                            [--list-fragments-order sorted|shuffled]
                            [--headers-timeout-seconds S] [--request-body-timeout-seconds S]
                            [--max-connections N] [--put-media-connection-limit N]
                            [--put-media-memory-mb MB] [--put-media-min-rate B]

  --port N         port to listen on (default 4567; 0 = any free port)
  --host H         interface to listen on (default 127.0.0.1)
  --data-dir DIR   durable storage directory (default ./.kvs-local)
  --in-memory      keep everything in memory (lost on exit)
  --region R       region in ARNs (default us-east-1)
  --account-id ID  account in ARNs (default 123456789012)
  --demo           create the stream "demo" fed by the demo camera
  --quiet          no request log
  --get-media-session-max-seconds S
                   end each GetMedia response after S seconds, after a whole fragment,
                   as KVS does (default 2700 = 45 min; 0 = never)
  --get-media-rate N
                   GetMedia calls per second per stream (default 5; 0 = unlimited)
  --get-media-connection-limit N
                   concurrent GetMedia connections per stream (default 3; 0 = unlimited)
  --get-clip-rate N
                   GetClip calls per second per stream (default 1; 0 = unlimited)
  --get-images-rate N
                   GetImages calls per second per stream (default 0 = unlimited)
  --list-fragments-order sorted|shuffled
                   ListFragments order; KVS documents none (default sorted)
  --headers-timeout-seconds S
                   close a connection whose request headers take longer (default 10; 0 = never)
  --request-body-timeout-seconds S
                   answer 408 to a JSON body that takes longer (default 10; 0 = never);
                   GetMedia responses and PutMedia bodies stream for as long as they need
  --max-connections N
                   open sockets at most; at the cap a new one evicts the longest-waiting
                   socket (sending headers or idle), never a busy one (default 512; 0 = no cap)
  --put-media-connection-limit N
                   concurrent PutMedia connections per stream, then ConnectionLimitExceeded
                   (default 5; 0 = unlimited)
  --put-media-memory-mb MB
                   media all PutMedia connections may hold at once; past it new connections
                   get ConnectionLimitExceeded and a Cluster that does not fit an ERROR ack
                   with ErrorId 5000 (default 256; 0 = unbounded)
  --put-media-min-rate B
                   bytes per second a PutMedia body must average over each minute, else an
                   ERROR ack with ErrorId 4000 (default 256; 0 = no floor)`;

/** A flag's value as a number >= 0 (`integer`: a whole one). */
function nonNegative(flag: string, text: string, integer = false): number {
  const value = text.trim() === "" ? Number.NaN : Number(text);
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`--${flag} must be ${integer ? "an integer" : "a number"} >= 0, got ${text}`);
  }
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "4567" },
      host: { type: "string", default: "127.0.0.1" },
      "data-dir": { type: "string" },
      "in-memory": { type: "boolean", default: false },
      region: { type: "string", default: "us-east-1" },
      "account-id": { type: "string", default: "123456789012" },
      demo: { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      "get-media-session-max-seconds": { type: "string", default: "2700" },
      "get-media-rate": { type: "string", default: "5" },
      "get-media-connection-limit": { type: "string", default: "3" },
      "get-clip-rate": { type: "string", default: "1" },
      "get-images-rate": { type: "string", default: "0" },
      "list-fragments-order": { type: "string", default: "sorted" },
      "headers-timeout-seconds": { type: "string", default: "10" },
      "request-body-timeout-seconds": { type: "string", default: "10" },
      "max-connections": { type: "string", default: "512" },
      "put-media-connection-limit": { type: "string", default: "5" },
      "put-media-memory-mb": { type: "string", default: "256" },
      "put-media-min-rate": { type: "string", default: "256" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`--port must be an integer 0-65535, got ${values.port}`);
  }
  const getMediaSessionMaxSeconds = nonNegative(
    "get-media-session-max-seconds",
    values["get-media-session-max-seconds"],
  );
  const getMediaRatePerSecond = nonNegative("get-media-rate", values["get-media-rate"]);
  const getClipRatePerSecond = nonNegative("get-clip-rate", values["get-clip-rate"]);
  const getImagesRatePerSecond = nonNegative("get-images-rate", values["get-images-rate"]);
  const connectionLimit = nonNegative(
    "get-media-connection-limit",
    values["get-media-connection-limit"],
    true,
  );
  /** A count or size flag where 0 means no limit. */
  const limit = (flag: string, text: string, integer: boolean): number => {
    const value = nonNegative(flag, text, integer);
    return value === 0 ? Number.POSITIVE_INFINITY : value;
  };
  const headersTimeoutSeconds = nonNegative(
    "headers-timeout-seconds",
    values["headers-timeout-seconds"],
  );
  const requestBodyTimeoutSeconds = nonNegative(
    "request-body-timeout-seconds",
    values["request-body-timeout-seconds"],
  );
  const maxConnections = limit("max-connections", values["max-connections"], true);
  const putMediaConnectionLimit = limit(
    "put-media-connection-limit",
    values["put-media-connection-limit"],
    true,
  );
  const putMediaMemoryBudgetBytes =
    limit("put-media-memory-mb", values["put-media-memory-mb"], false) * 1024 * 1024;
  const putMediaMinBytesPerSecond = nonNegative("put-media-min-rate", values["put-media-min-rate"]);
  const listFragmentsOrder = values["list-fragments-order"];
  if (listFragmentsOrder !== "sorted" && listFragmentsOrder !== "shuffled") {
    throw new Error(`--list-fragments-order must be sorted or shuffled, got ${listFragmentsOrder}`);
  }
  if (values["in-memory"] && values["data-dir"] !== undefined) {
    throw new Error("--data-dir and --in-memory exclude each other");
  }
  const dataDir = values["in-memory"] ? undefined : (values["data-dir"] ?? ".kvs-local");
  const kvs = await createLocalKvs({
    host: values.host,
    port,
    ...(dataDir !== undefined ? { dataDir } : { inMemory: true }),
    region: values.region,
    accountId: values["account-id"],
    demoStream: values.demo,
    getMediaSessionMaxSeconds,
    getMediaRatePerSecond,
    getClipRatePerSecond,
    getImagesRatePerSecond,
    getMediaConnectionLimit: connectionLimit === 0 ? Number.POSITIVE_INFINITY : connectionLimit,
    listFragmentsOrder,
    headersTimeoutSeconds,
    requestBodyTimeoutSeconds,
    maxConnections,
    putMediaConnectionLimit,
    putMediaMemoryBudgetBytes,
    putMediaMinBytesPerSecond,
    log: values.quiet ? () => {} : (line) => console.error(line),
  });
  console.log(`kvs-local listening: ${kvs.endpoint}`);
  console.log(`storage: ${dataDir ?? "in memory"}`);
  console.log(`use: aws kinesisvideo list-streams --endpoint-url ${kvs.endpoint}`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    kvs.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(USAGE);
  process.exit(1);
});
