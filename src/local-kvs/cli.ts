// `npm run kvs-local -- --port N --data-dir DIR` (or `--in-memory`): runs the local KVS backend
// alone and prints the endpoint to pass as --endpoint-url / the SDK's `endpoint`.

import { parseArgs } from "node:util";
import { createLocalKvs } from "./index.ts";

const USAGE = `Usage: npm run kvs-local -- [--port N] [--host H] (--data-dir DIR | --in-memory)
                            [--region R] [--account-id ID] [--demo] [--quiet]
                            [--get-media-session-max-seconds S]

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
                   as KVS does (default 2700 = 45 min; 0 = never)`;

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
  const sessionMax = values["get-media-session-max-seconds"];
  const getMediaSessionMaxSeconds = sessionMax.trim() === "" ? Number.NaN : Number(sessionMax);
  if (!Number.isFinite(getMediaSessionMaxSeconds) || getMediaSessionMaxSeconds < 0) {
    throw new Error(
      `--get-media-session-max-seconds must be a number of seconds >= 0, got ${sessionMax}`,
    );
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
