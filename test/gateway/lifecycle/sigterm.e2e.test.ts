// SIGTERM against `node src/main.ts` as deployed: a live subscription ends with its final
// ShuttingDown event and `complete`, the process exits 0; a stale clip spill directory left by a
// dead process is removed at start while a live process's one is kept.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient } from "graphql-ws";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";

const REPO = path.resolve(import.meta.dirname, "../../..");
let child: ChildProcess | undefined;
let dir: string | undefined;

afterAll(async () => {
  if (child?.exitCode === null) child.kill("SIGKILL");
  if (dir) await rm(dir, { recursive: true, force: true });
});

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

describe("SIGTERM", () => {
  it("ends a live subscription with ShuttingDown, removes stale spill dirs at start, exits 0", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "sigterm-"));
    // pid 999999999 is not running; the test runner's own pid is.
    const stale = path.join(dir, "kvs-clips-999999999-abcdef");
    const live = path.join(dir, `kvs-clips-${process.pid}-abcdef`);
    await mkdir(stale);
    await mkdir(live);
    child = spawn(process.execPath, ["src/main.ts"], {
      cwd: REPO,
      env: {
        ...process.env,
        PORT: "0",
        KVS_BACKEND: "local",
        KVS_LOCAL_IN_MEMORY: "true",
        LOG_FORMAT: "json",
        CLIP_CACHE_DIR: dir,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const running = child;
    const exited = new Promise<number | null>((resolve) => running.once("exit", resolve));
    let out = "";
    const wsUrl = await new Promise<string>((resolve, reject) => {
      running.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /WebSocket (ws:\/\/\S+\/graphql)/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      running.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    expect(await exists(stale)).toBe(false);
    expect(await exists(live)).toBe(true);

    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    const events: Array<{ __typename?: string }> = [];
    let gotFragment: () => void = () => {};
    const firstFragment = new Promise<void>((resolve) => {
      gotFragment = resolve;
    });
    const completed = new Promise<void>((resolve, reject) => {
      client.subscribe<{ fragments: { __typename: string } }>(
        {
          query:
            'subscription { fragments(name: "demo") { __typename ... on ShuttingDown { message continuationToken } } }',
        },
        {
          next: (result) => {
            if (result.data) events.push(result.data.fragments);
            if (result.data?.fragments.__typename === "FragmentEvent") gotFragment();
          },
          error: reject,
          complete: resolve,
        },
      );
    });
    await firstFragment;
    running.kill("SIGTERM");
    await completed;
    expect(events.at(-1)?.__typename).toBe("ShuttingDown");
    expect(events.slice(0, -1).every((event) => event.__typename === "FragmentEvent")).toBe(true);
    expect(await exited).toBe(0);
    await client.dispose();
  });
});
