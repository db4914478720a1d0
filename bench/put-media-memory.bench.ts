// Run: node bench/put-media-memory.bench.ts [connections] [clusterMiB]
// kvs-local's resident memory (peak, VmHWM of its own process) while N PutMedia connections each
// send one large Cluster at once, holding its last KiB back so every connection holds what it
// received: with the PutMedia memory budget (the default 256 MiB) and without it
// (--put-media-memory-mb 0, the old unbounded behaviour), side by side with N × Cluster size.
// Defaults: 20 connections of 40 MiB Clusters (the finding: 20 connections → 1.03 GB).
import { readFile } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import { type PutMediaAck, putMedia } from "../src/local-kvs/producer/put-media-client.ts";
import {
  createStreams,
  type LocalKvsProcess,
  spawnLocalKvs,
  stopLocalKvsProcess,
} from "../test/support/kvs-local.ts";
import { largeClusterMkv } from "../test/support/mkv.ts";
import { removeScratchDirectory, scratchDirectory } from "../test/support/scratch.ts";
import { pushableBody } from "../test/support/seed.ts";
import { reportFigure } from "./support/report.ts";

const MiB = 1024 * 1024;
const CONNECTIONS = Number(process.argv[2] ?? 20);
const CLUSTER_MIB = Number(process.argv[3] ?? 40);
const CHUNK = 256 * 1024;

async function memoryMb(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1]);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

interface Outcome {
  label: string;
  idleMb: number;
  peakMb: number;
  /** Peak once the held Clusters were finished and stored too. */
  finalPeakMb: number;
  stored: number;
  errored: number;
  refused: number;
  probeMs: number;
}

async function run(label: string, flags: string[], mkv: Uint8Array): Promise<Outcome> {
  const dir = await scratchDirectory("kvs-bench-put-media-");
  let server: LocalKvsProcess | undefined;
  try {
    // On disk, so stored fragments do not count: only what the connections hold does.
    server = await spawnLocalKvs([
      "--data-dir",
      dir,
      "--put-media-connection-limit",
      "0",
      ...flags,
    ]);
    const pid = server.child.pid as number;
    const names = Array.from({ length: CONNECTIONS }, (_, i) => `bench-${i}`);
    await createStreams(server.endpoint, names);
    await delay(1000);
    const idleMb = (await memoryMb(pid)).rss;

    const endpoint = server.endpoint;
    const puts = names.map((streamName) => {
      const body = pushableBody();
      const acks: PutMediaAck[] = [];
      const session = putMedia({
        endpoint,
        streamName,
        body: body.body,
        timecodeType: "RELATIVE",
        producerStartTimestampMs: Date.now() - 60_000,
      });
      const state = { body, acks, finished: false, refused: false };
      (async () => {
        for await (const ack of session.acks) acks.push(ack);
      })()
        .catch(() => {
          state.refused = true;
        })
        .finally(() => {
          state.finished = true;
        });
      return state;
    });
    const held = mkv.subarray(0, mkv.length - 1024);
    for (let at = 0; at < held.length; at += CHUNK) {
      for (const put of puts) if (!put.finished) put.body.push(held.subarray(at, at + CHUNK));
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Let the server take in what was sent (or give connections up).
    let last = -1;
    for (let i = 0; i < 100; i++) {
      await delay(200);
      const { rss } = await memoryMb(pid);
      if (Math.abs(rss - last) < 1) break;
      last = rss;
    }
    const probeStart = performance.now();
    const probe = await fetch(`${endpoint}/listStreams`, { method: "POST", body: "{}" });
    await probe.arrayBuffer();
    const probeMs = performance.now() - probeStart;
    const { peak } = await memoryMb(pid);

    for (const put of puts) {
      if (put.finished) continue;
      put.body.push(mkv.subarray(mkv.length - 1024));
      put.body.end();
    }
    const deadline = Date.now() + 120_000;
    while (puts.some((p) => !p.finished) && Date.now() < deadline) await delay(100);
    const stored = puts.filter((p) => p.acks.some((a) => a.EventType === "PERSISTED")).length;
    const errored = puts.filter((p) => p.acks.some((a) => a.EventType === "ERROR")).length;
    const refused = puts.filter((p) => p.refused).length;
    const finalPeakMb = (await memoryMb(pid)).peak;
    return { label, idleMb, peakMb: peak, finalPeakMb, stored, errored, refused, probeMs };
  } finally {
    if (server) await stopLocalKvsProcess(server);
    await removeScratchDirectory(dir);
  }
}

const mkv = largeClusterMkv(CLUSTER_MIB * MiB);
const budgeted = await run("budget 256 MiB (default)", [], mkv);
const unbounded = await run(
  "unbounded (--put-media-memory-mb 0)",
  ["--put-media-memory-mb", "0"],
  mkv,
);

console.log(
  `kvs-local peak RSS, ${CONNECTIONS} PutMedia connections × one ${CLUSTER_MIB} MiB Cluster at once ` +
    `(theoretical unbounded hold: ${CONNECTIONS * CLUSTER_MIB} MiB):`,
);
for (const o of [budgeted, unbounded]) {
  console.log(
    `  ${o.label.padEnd(38)} peak ${o.peakMb.toFixed(0).padStart(5)} MB (idle ${o.idleMb.toFixed(0)} MB, ` +
      `+${(o.peakMb - o.idleMb).toFixed(0)} MB; ${o.finalPeakMb.toFixed(0)} MB once stored); stored ${o.stored}, ERROR ack ${o.errored}, ` +
      `refused ${o.refused}; ListStreams probe ${o.probeMs.toFixed(0)} ms`,
  );
}
reportFigure({
  figure: `kvs-local RSS growth, ${CONNECTIONS} PutMedia connections × ${CLUSTER_MIB} MiB Cluster`,
  value: `+${(budgeted.peakMb - budgeted.idleMb).toFixed(0)} MB (budget 256 MiB)`,
  reference: `unbounded +${(unbounded.peakMb - unbounded.idleMb).toFixed(0)} MB`,
  ratio: (budgeted.peakMb - budgeted.idleMb) / (unbounded.peakMb - unbounded.idleMb),
});
console.log(
  `  ratio budget / unbounded (growth)       ${((budgeted.peakMb - budgeted.idleMb) / (unbounded.peakMb - unbounded.idleMb)).toFixed(2)}`,
);
