// The gateway as deployed: `node src/main.ts` in its own process, for the tests that must see what
// a separate process does: exit codes on SIGTERM, a crash or kill -9 (which an in-process stack
// would share with the test runner), the gateway's own memory (RSS), and fleets of instances. By
// default with its embedded in-memory kvs-local; `externalKvsEnv` points it at a kvs-local of the
// test instead (and, for cluster mode, the test adds a Redis).

import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { LOAD_TEST_ENV } from "./stack.ts";

const REPO = path.resolve(import.meta.dirname, "../..");

/** One signing key for every instance of a test fleet: a link from one downloads at another. */
export const FLEET_CLIP_SIGNING_KEYS = `fleet1:${Buffer.alloc(32, 7).toString("base64")}`;

export interface GatewayProcess {
  readonly child: ChildProcess;
  /** Base URL, e.g. "http://127.0.0.1:41234". */
  readonly url: string;
  readonly graphqlUrl: string;
  readonly wsUrl: string;
  /** The embedded kvs-local's endpoint (KVS_BACKEND=local), for seeding streams. */
  readonly kvsEndpoint: string | undefined;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exitCode: Promise<number | null>;
  /** Whether it has exited (by itself or killed). */
  readonly exited: boolean;
  /** Everything the process printed so far, stdout and stderr. */
  output(): string;
  /** The process's resident set size in bytes, from /proc (Linux). */
  rssBytes(): Promise<number>;
  /** Sends `signal` (SIGKILL by default) if it is still running, and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** The environment that runs the gateway against an external KVS endpoint (a test's kvs-local). */
export function externalKvsEnv(kvsEndpoint: string): Record<string, string> {
  return {
    KVS_BACKEND: "aws",
    KVS_ENDPOINT: kvsEndpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AUTH: "off",
    CLIP_SIGNING_KEYS: FLEET_CLIP_SIGNING_KEYS,
  };
}

/**
 * Starts `node src/main.ts` on port 0 with an in-memory kvs-local and JSON logs, `env` on top,
 * and resolves once it printed its WebSocket URL (rejects if it exits first, or after 90 s).
 */
export async function spawnGateway(env: Record<string, string> = {}): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ["src/main.ts"], {
    cwd: REPO,
    env: {
      ...process.env,
      PORT: "0",
      KVS_BACKEND: "local",
      KVS_LOCAL_IN_MEMORY: "true",
      LOG_FORMAT: "json",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exitCode = new Promise<number | null>((resolve) => child.once("exit", resolve));
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
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    url,
    graphqlUrl: `${url}/graphql`,
    wsUrl,
    kvsEndpoint: /kvs-local \(embedded\) at (http:\/\/[^\s,"]+)/.exec(out)?.[1],
    exitCode,
    get exited() {
      return !running();
    },
    output: () => out,
    async rssBytes() {
      const status = await readFile(`/proc/${child.pid}/status`, "utf8");
      const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
      if (kb === undefined) throw new Error(`no VmRSS for pid ${child.pid}`);
      return Number(kb) * 1024;
    },
    async kill(signal = "SIGKILL") {
      if (!running()) return;
      child.kill(signal);
      await exitCode;
    },
  };
}

/**
 * `count` instances of one cluster-mode fleet against the test's kvs-local and Redis, keys under
 * `keyPrefix`; the per-principal windows lifted, as one test client plays every viewer.
 */
export function spawnFleet(
  count: number,
  kvsEndpoint: string,
  redisUrl: string,
  keyPrefix: string,
  env: Record<string, string> = {},
): Promise<GatewayProcess[]> {
  return Promise.all(
    Array.from({ length: count }, () =>
      spawnGateway({
        ...externalKvsEnv(kvsEndpoint),
        ...LOAD_TEST_ENV,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: keyPrefix,
        ...env,
      }),
    ),
  );
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
