// `node src/main.ts` as deployed, as its own process (so kill -9 hits it alone), against an
// external KVS endpoint (a kvs-local of the test) and, for cluster mode, a Redis of the test.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

const REPO = path.resolve(import.meta.dirname, "../..");

/** One signing key for every instance of a test fleet: a link from one downloads at another. */
export const FLEET_CLIP_SIGNING_KEYS = `fleet1:${Buffer.alloc(32, 7).toString("base64")}`;

export interface GatewayProcess {
  readonly child: ChildProcess;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly wsUrl: string;
  /** Everything it printed, for a failing test's message. */
  output(): string;
  /** Whether it exited (by itself or killed). */
  readonly exited: boolean;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnGateway(
  kvsEndpoint: string,
  env: Record<string, string> = {},
): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ["src/main.ts"], {
    cwd: REPO,
    env: {
      ...process.env,
      PORT: "0",
      KVS_BACKEND: "aws",
      KVS_ENDPOINT: kvsEndpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AUTH: "off",
      LOG_FORMAT: "json",
      CLIP_SIGNING_KEYS: FLEET_CLIP_SIGNING_KEYS,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const wsUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${out}`)), 90_000);
    const onData = () => {
      const match = /WebSocket (ws:\/\/\S+\/graphql)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code}): ${out}`));
    });
  });
  const url = wsUrl.replace(/^ws:/, "http:").replace(/\/graphql$/, "");
  return {
    child,
    url,
    wsUrl,
    output: () => out,
    get exited() {
      return child.exitCode !== null || child.signalCode !== null;
    },
    async kill(signal = "SIGKILL") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill(signal);
      await exited;
    },
  };
}

/** The instance's /healthz body. */
export async function healthOf(gateway: GatewayProcess): Promise<GatewayHealth> {
  const response = await fetch(`${gateway.url}/healthz`);
  return (await response.json()) as GatewayHealth;
}

export interface GatewayHealth {
  status: string;
  mode: "single" | "cluster";
  cluster?: {
    instanceId: string;
    redis: string;
    leasesHeld: number;
    streams: Array<{ streamArn: string; leaseHeld: boolean; mode: "fleet" | "local" }>;
  };
}

/** A counter's value on the instance's /metrics for the series whose labels include `labels`. */
export async function metricOf(
  gateway: GatewayProcess,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const wanted = Object.entries(labels).every(([key, value]) =>
      line.includes(`${key}="${value}"`),
    );
    if (wanted) total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}
