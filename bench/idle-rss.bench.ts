// Run: node bench/idle-rss.bench.ts
// The gateway's resident memory at idle (npm start's process: the gateway with its embedded
// kvs-local and demo camera, before any request) when Node runs the TypeScript itself, next to
// the same process under tsx's loader, as `npm start` ran it before. Both started in one run.
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { reportFigure } from "./support/report.ts";

const REPO = path.resolve(import.meta.dirname, "..");
/** Long enough for start-up garbage to be collected and the demo camera to settle. */
const SETTLE_MS = 8000;

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return kb / 1024;
}

async function idleRss(label: string, execArgv: string[]): Promise<number> {
  const child: ChildProcess = spawn(process.execPath, [...execArgv, "src/main.ts"], {
    cwd: REPO,
    env: { ...process.env, PORT: "0", KVS_LOCAL_IN_MEMORY: "true", KVS_BACKEND: "local" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("GraphQL gateway:")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`${label} exited with ${code}`)));
    });
    await delay(SETTLE_MS);
    if (child.pid === undefined) throw new Error(`${label} has no pid`);
    return await rssMb(child.pid);
  } finally {
    child.kill("SIGTERM");
  }
}

const native = await idleRss("node", []);
const tsx = await idleRss("node --import tsx", ["--import", "tsx"]);
console.log(
  `Gateway RSS at idle (Node ${process.versions.node}, ${SETTLE_MS / 1000} s after start):`,
);
console.log(`  node src/main.ts               ${native.toFixed(0)} MB`);
console.log(`  node --import tsx src/main.ts  ${tsx.toFixed(0)} MB`);
console.log(`  ratio native / tsx             ${(native / tsx).toFixed(2)}`);
reportFigure({
  figure: "gateway RSS at idle (npm start, embedded kvs-local and demo camera)",
  value: `${native.toFixed(0)} MB`,
  reference: `the same under tsx's loader ${tsx.toFixed(0)} MB`,
  ratio: native / tsx,
});
