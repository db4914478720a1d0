// The gateway as deployed: `node src/main.ts` in its own process, with the embedded kvs-local. For
// the tests that must see what a separate process does: exit codes on SIGTERM, a crash (which an
// in-process stack would take down with the test runner), and the gateway's own memory (RSS).

import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";

const REPO = path.resolve(import.meta.dirname, "../..");

export interface GatewayProcess {
  readonly child: ChildProcess;
  /** Base URL, e.g. "http://127.0.0.1:41234". */
  readonly url: string;
  readonly graphqlUrl: string;
  readonly wsUrl: string;
  /** The embedded kvs-local's endpoint (KVS_BACKEND=local), for seeding streams. */
  readonly kvsEndpoint: string | undefined;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Everything the process printed so far, stdout and stderr. */
  output(): string;
  /** The process's resident set size in bytes, from /proc (Linux). */
  rssBytes(): Promise<number>;
  /** SIGKILLs the process if it is still running. */
  kill(): void;
}

/**
 * Starts `node src/main.ts` on port 0 with an in-memory kvs-local and JSON logs, `env` on top,
 * and resolves once it printed its WebSocket URL (rejects if it exits first).
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
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  let out = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const wsUrl = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /WebSocket (ws:\/\/\S+\/graphql)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`gateway exited ${code}: ${out}`)));
  });
  const url = wsUrl.replace(/^ws:/, "http:").replace(/\/graphql$/, "");
  return {
    child,
    url,
    graphqlUrl: `${url}/graphql`,
    wsUrl,
    kvsEndpoint: /kvs-local \(embedded\) at (http:\/\/[^\s,"]+)/.exec(out)?.[1],
    exited,
    output: () => out,
    async rssBytes() {
      const status = await readFile(`/proc/${child.pid}/status`, "utf8");
      const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
      if (kb === undefined) throw new Error(`no VmRSS for pid ${child.pid}`);
      return Number(kb) * 1024;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}
