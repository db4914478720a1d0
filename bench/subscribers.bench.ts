// Run: node bench/subscribers.bench.ts      (BENCH_SUBSCRIBERS=200,1000 to develop with fewer)
// Live subscribers on one stream: the gateway (its own process) in front of kvs-local's demo stream
// (one fragment a second, in this process), N graphql-ws subscribers opened in batches by a load
// process, and a separate probe process with one subscriber. For each N, with the shared execution
// of identical events (shared-subscription-events.ts) on and then off as the reference: upstream
// GetMedia sessions, lag from KVS's server timestamp to receipt (probe and load subscribers,
// p50/p99), events lost, gateway RSS per subscriber. Then query throughput next to a bare Yoga
// server and KVS calls per 1,000 queries with warm caches. Loopback only; every phase is bounded.
// BENCH_PROFILE=1 writes a CPU profile of each gateway run to bench-profiles/.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLocalKvs, DEMO_STREAM_NAME, type LocalKvs } from "../src/local-kvs/index.ts";
import { makeTestVideo } from "../test/support/media.ts";
import { type RawSubscriber, rawWsSubscriber } from "../test/support/raw-subscribers.ts";
import { fillStream } from "../test/support/seed.ts";
import { loadBenchGateway } from "./support/gateway.ts";
import { reportFigure } from "./support/report.ts";
import { formatWrk, kvsCallsPer1000, startBareYoga, type WrkResult, wrk } from "./support/wrk.ts";

const COUNTS = (process.env.BENCH_SUBSCRIBERS ?? "1000,10000").split(",").map(Number);
const WINDOW_S = Number(process.env.BENCH_WINDOW_SECONDS ?? 15);
const BATCH = 250;
/** BENCH_MODES=shared (or alone) runs one side only, e.g. to profile it. */
const MODES = (process.env.BENCH_MODES ?? "shared,alone")
  .split(",")
  .map((mode) => mode === "shared");
const WRK_SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const MAX_SUBSCRIBERS = 12_000;
const SUBSCRIPTION = `subscription Live($name: String) {
  fragments(name: $name) {
    __typename
    ... on FragmentEvent { fragmentNumber serverTimestamp millisBehindNow continuationToken blockCount byteSize }
    ... on KvsError { code message }
    ... on SlowSubscriber { message bufferSize }
  }
}`;

type Message =
  | { type: "ready"; wsUrl: string; graphqlUrl: string }
  | { type: "stats"; rss: number; heap: number; sessions: number; subscribers: number }
  | { type: "opened"; count: number; failed: number; ms: number }
  | { type: "report"; fragments: Array<[string, number, number]>; perSubscriber: number[][] }
  | { type: "load-report"; counts: number[]; duplicates: number; lags: number[]; others: string[] };

// ---------- children ----------

function send(message: Message): void {
  process.send?.(message);
}

async function gatewayChild(endpoint: string, shared: boolean): Promise<void> {
  const app = loadBenchGateway(endpoint, { sharedSubscriptionEvents: shared });
  const address = await app.start(0, "127.0.0.1");
  process.on("message", (message: { type: string }) => {
    if (message.type === "stats") {
      globalThis.gc?.();
      globalThis.gc?.();
      const memory = process.memoryUsage();
      send({
        type: "stats",
        rss: memory.rss,
        heap: memory.heapUsed,
        sessions: app.services.getMedia.sessionCount,
        subscribers: app.services.getMedia.subscriberCount,
      });
    } else if (message.type === "stop") {
      // At once (the OS closes the sockets): closing 10,000 WebSockets one by one takes long, and
      // the CPU profile is written on exit.
      process.exit(0);
    }
  });
  send({ type: "ready", wsUrl: address.wsUrl, graphqlUrl: address.graphqlUrl });
}

/** Fragment number and server timestamp (ms) of a next payload, read without a full parse. */
function fragmentOf(payload: string): [string, number] | undefined {
  const number = /"fragmentNumber":"(\d+)"/.exec(payload)?.[1];
  const at = /"serverTimestamp":"([^"]+)"/.exec(payload)?.[1];
  return number && at ? [number, Date.parse(at)] : undefined;
}

async function loadChild(wsUrl: string, count: number): Promise<void> {
  // Per subscriber: the server timestamps received (ms), to count per window; lags sampled.
  const received: number[][] = [];
  const seen: Array<Set<string>> = [];
  const lags: number[] = [];
  const others: string[] = [];
  let duplicates = 0;
  const subscribers: RawSubscriber[] = [];
  const started = performance.now();
  let failed = 0;
  for (let from = 0; from < count; from += BATCH) {
    const batch: RawSubscriber[] = [];
    for (let index = from; index < Math.min(count, from + BATCH); index++) {
      const mine: number[] = [];
      const numbers = new Set<string>();
      received.push(mine);
      seen.push(numbers);
      batch.push(
        rawWsSubscriber(wsUrl, {
          query: SUBSCRIPTION,
          variables: { name: DEMO_STREAM_NAME },
          onNext: (payload) => {
            const fragment = fragmentOf(payload);
            if (!fragment) {
              if (others.length < 20) others.push(payload);
              return;
            }
            if (numbers.has(fragment[0])) duplicates++;
            numbers.add(fragment[0]);
            mine.push(fragment[1]);
            // Sample lags: every subscriber's would be 10,000 a second.
            if (index % 10 === 0) lags.push(Date.now() - fragment[1]);
          },
          onOther: (text) => {
            if (others.length < 20) others.push(text);
          },
        }),
      );
    }
    // A subscriber not ready within 30 s counts as failed (it may still come later).
    const results = await Promise.allSettled(
      batch.map((subscriber) =>
        Promise.race([
          subscriber.ready,
          sleep(30_000).then(() => Promise.reject(new Error("not ready in 30 s"))),
        ]),
      ),
    );
    failed += results.filter((result) => result.status === "rejected").length;
    subscribers.push(...batch);
    if (subscribers.length % 2000 === 0) {
      console.error(
        `  load: ${subscribers.length} subscribers after ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
  }
  send({ type: "opened", count: subscribers.length, failed, ms: performance.now() - started });
  process.on("message", (message: { type: string; from: number; to: number }) => {
    if (message.type === "report") {
      const inWindow = (at: number) => at >= message.from && at < message.to;
      send({
        type: "load-report",
        counts: received.map((list) => list.filter(inWindow).length),
        duplicates,
        lags: lags.splice(0),
        others,
      });
    } else if (message.type === "stop") {
      for (const subscriber of subscribers) subscriber.close();
      setTimeout(() => process.exit(0), 200);
    }
  });
}

async function probeChild(wsUrl: string): Promise<void> {
  const fragments: Array<[string, number, number]> = [];
  const subscriber = rawWsSubscriber(wsUrl, {
    query: SUBSCRIPTION,
    variables: { name: DEMO_STREAM_NAME },
    onNext: (payload) => {
      const fragment = fragmentOf(payload);
      if (fragment) fragments.push([fragment[0], fragment[1], Date.now() - fragment[1]]);
    },
  });
  await subscriber.ready;
  send({ type: "opened", count: 1, failed: 0, ms: 0 });
  process.on("message", (message: { type: string }) => {
    if (message.type === "report") send({ type: "report", fragments, perSubscriber: [] });
    else if (message.type === "stop") {
      subscriber.close();
      setTimeout(() => process.exit(0), 100);
    }
  });
}

// ---------- the conductor ----------

interface Child {
  process: ChildProcess;
  next(type: Message["type"], timeoutMs?: number): Promise<Message>;
}

/**
 * Forks this file in `role`. Each child holds up to N sockets: its soft open-files limit is
 * raised to the hard one (a shell `ulimit -Sn` before exec), and the bench stops with a clear
 * message when even the hard limit is too low.
 */
function child(role: string, args: string[], execArgv: string[] = []): Child {
  const launched = spawn(
    "/bin/sh",
    [
      "-c",
      'ulimit -Sn "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"',
      process.execPath,
      ...execArgv,
      import.meta.filename,
      role,
      ...args,
    ],
    { stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  const inbox: Message[] = [];
  const waiting: Array<() => void> = [];
  launched.on("message", (message: Message) => {
    inbox.push(message);
    for (const wake of waiting.splice(0)) wake();
  });
  return {
    process: launched,
    async next(type, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const at = inbox.findIndex((message) => message.type === type);
        if (at >= 0) return inbox.splice(at, 1)[0] as Message;
        if (Date.now() > deadline) throw new Error(`${role}: no ${type} within ${timeoutMs} ms`);
        if (launched.exitCode !== null) throw new Error(`${role} exited ${launched.exitCode}`);
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          setTimeout(resolve, 500);
        });
      }
    },
  };
}

async function stopChild(one: Child): Promise<void> {
  if (one.process.exitCode !== null) return;
  const exited = new Promise((resolve) => one.process.once("exit", resolve));
  one.process.send({ type: "stop" });
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (one.process.exitCode === null) one.process.kill("SIGKILL");
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RunResult {
  count: number;
  shared: boolean;
  openedMs: number;
  failed: number;
  getMediaCalls: number;
  sessions: number;
  probeP50: number;
  probeP99: number;
  loadP50: number;
  loadP99: number;
  expected: number;
  lost: number;
  duplicates: number;
  kbPerSubscriber: number;
  heapKbPerSubscriber: number;
  others: string[];
}

async function runOnce(kvs: LocalKvs, count: number, shared: boolean): Promise<RunResult> {
  const profile = process.env.BENCH_PROFILE
    ? [
        "--cpu-prof",
        `--cpu-prof-dir=bench-profiles`,
        `--cpu-prof-name=gateway-${count}-${shared ? "shared" : "alone"}.cpuprofile`,
      ]
    : [];
  const gateway = child("gateway", [kvs.endpoint, String(shared)], ["--expose-gc", ...profile]);
  const ready = (await gateway.next("ready")) as Extract<Message, { type: "ready" }>;
  const getMediaBefore = kvs.stats.snapshot().GetMedia ?? 0;
  const probe = child("probe", [ready.wsUrl]);
  let load: Child | undefined;
  try {
    await probe.next("opened");
    await sleep(1500);
    gateway.process.send({ type: "stats" });
    const baseline = (await gateway.next("stats")) as Extract<Message, { type: "stats" }>;
    load = child("load", [ready.wsUrl, String(count)]);
    const opened = (await load.next("opened", 300_000)) as Extract<Message, { type: "opened" }>;
    await sleep(2000);
    const from = Date.now();
    await sleep(WINDOW_S * 1000);
    const to = Date.now();
    // The fragments of the window reach everyone within this margin, or count as lost.
    await sleep(3000);
    probe.process.send({ type: "report" });
    load.process.send({ type: "report", from, to });
    const probed = (await probe.next("report")) as Extract<Message, { type: "report" }>;
    const loadReport = (await load.next("load-report")) as Extract<
      Message,
      { type: "load-report" }
    >;
    // A gateway whose event loop is saturated may not answer: its memory is then unknown.
    gateway.process.send({ type: "stats" });
    const loaded = (await gateway.next("stats", 30_000).catch(() => undefined)) as
      | Extract<Message, { type: "stats" }>
      | undefined;
    const windowFragments = probed.fragments.filter(([, at]) => at >= from && at < to);
    const expected = windowFragments.length;
    const lost = loadReport.counts.reduce((sum, got) => sum + Math.max(0, expected - got), 0);
    const probeLags = windowFragments.map(([, , lag]) => lag);
    const perSubscriber = (bytes: number | undefined) =>
      bytes === undefined ? Number.NaN : bytes / 1024 / Math.max(1, opened.count);
    return {
      count,
      shared,
      openedMs: opened.ms,
      failed: opened.failed,
      getMediaCalls: (kvs.stats.snapshot().GetMedia ?? 0) - getMediaBefore,
      sessions: loaded?.sessions ?? Number.NaN,
      probeP50: percentile(probeLags, 50),
      probeP99: percentile(probeLags, 99),
      loadP50: percentile(loadReport.lags, 50),
      loadP99: percentile(loadReport.lags, 99),
      expected,
      lost,
      duplicates: loadReport.duplicates,
      kbPerSubscriber: perSubscriber(loaded && loaded.rss - baseline.rss),
      heapKbPerSubscriber: perSubscriber(loaded && loaded.heap - baseline.heap),
      others: loadReport.others,
    };
  } finally {
    // The gateway first: the closing side keeps the TIME_WAIT entries, and the gateway's port is
    // new each run, so 10,000 closed sockets do not hold the clients' ephemeral ports.
    await stopChild(gateway);
    if (load) await stopChild(load);
    await stopChild(probe);
  }
}

// `stream { fragments }` reads a settled range (an hour a day ago holding 60 one-second
// fragments) of a stream filled for the purpose, as bench/timeline.bench.ts does.
const QUERY_STREAM = "bench-queries";
const T0 = Math.floor((Date.now() - 24 * 3_600_000) / 3_600_000) * 3_600_000;
const RANGE = `{start: "${new Date(T0).toISOString()}", end: "${new Date(T0 + 3_599_999).toISOString()}"}`;
const QUERIES = {
  "stream(name)": `{ stream(name: "${QUERY_STREAM}") { ... on Stream { name status } } }`,
  streams: "{ streams(first: 10) { ... on StreamConnection { edges { node { name status } } } } }",
  "stream { fragments }": `{ stream(name: "${QUERY_STREAM}") { ... on Stream { fragments(range: ${RANGE}, timestampType: PRODUCER_TIMESTAMP, first: 100) { ... on FragmentConnection { edges { node { number sizeBytes } } } } } } }`,
};

async function queries(kvs: LocalKvs, dir: string): Promise<void> {
  const video = await makeTestVideo(dir, { seconds: 60, fps: 5 });
  await fillStream(kvs.endpoint, QUERY_STREAM, video.bytes, T0);
  const bare = await startBareYoga();
  const app = loadBenchGateway(kvs.endpoint);
  const { graphqlUrl } = await app.start(0, "127.0.0.1");
  const load = { connections: 32, durationS: WRK_SECONDS };
  try {
    const reference: WrkResult = await wrk(bare.url, "{ ok }", dir, load);
    console.log(`Queries (wrk, 32 connections, ${WRK_SECONDS} s each; gateway in this process):`);
    console.log(`  ${"bare Yoga { ok }".padEnd(24)}${formatWrk(reference)}  (reference)`);
    for (const [label, query] of Object.entries(QUERIES)) {
      await kvsCallsPer1000(kvs.stats, graphqlUrl, query); // warms the caches
      const calls = await kvsCallsPer1000(kvs.stats, graphqlUrl, query);
      const measured = await wrk(graphqlUrl, query, dir, load);
      const upstream = Object.entries(calls)
        .map(([operation, n]) => `${operation} ${n}`)
        .join(", ");
      reportFigure({
        figure: `${label} throughput (32 connections)`,
        value: `${measured.rps.toFixed(0)} req/s (p99 ${measured.p99.toFixed(1)} ms)`,
        reference: `bare Yoga { ok } ${reference.rps.toFixed(0)} req/s (p99 ${reference.p99.toFixed(1)} ms)`,
        ratio: measured.rps / reference.rps,
        note: `KVS calls per 1,000 warm: ${upstream || "none"}`,
      });
      console.log(
        `  ${label.padEnd(24)}${formatWrk(measured)}  ${(measured.rps / reference.rps).toFixed(2)}× bare rps, p50 ${(measured.p50 / reference.p50).toFixed(2)}× / p99 ${(measured.p99 / reference.p99).toFixed(2)}× bare's; KVS calls per 1,000 (warm): ${upstream || "none"}`,
      );
    }
  } finally {
    await app.stop();
    bare.close();
  }
}

function line(result: RunResult): string {
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "–");
  const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "?");
  return [
    `  N=${String(result.count).padEnd(6)} ${result.shared ? "shared " : "alone  "}`,
    `opened in ${(result.openedMs / 1000).toFixed(1)} s${result.failed ? ` (${result.failed} failed)` : ""}`,
    `GetMedia calls ${result.getMediaCalls}, sessions ${Number.isNaN(result.sessions) ? "? (gateway did not answer in 30 s)" : result.sessions}`,
    `probe p50 ${f(result.probeP50)} ms p99 ${f(result.probeP99)} ms`,
    `subscribers p50 ${f(result.loadP50)} ms p99 ${f(result.loadP99)} ms`,
    `lost ${result.lost} of ${result.expected * result.count}${result.duplicates ? `, ${result.duplicates} duplicates` : ""}`,
    `per subscriber ${f1(result.kbPerSubscriber)} KB RSS, ${f1(result.heapKbPerSubscriber)} KB heap`,
  ].join(" | ");
}

async function conduct(): Promise<void> {
  for (const count of COUNTS) {
    if (!(Number.isInteger(count) && count > 0 && count <= MAX_SUBSCRIBERS)) {
      throw new Error(`BENCH_SUBSCRIBERS: whole numbers from 1 to ${MAX_SUBSCRIBERS}`);
    }
  }
  const hard = await new Promise<string>((resolve) => {
    const shell = spawn("/bin/sh", ["-c", "ulimit -Hn"]);
    let out = "";
    shell.stdout.on("data", (chunk) => {
      out += chunk;
    });
    shell.on("close", () => resolve(out.trim()));
  });
  const need = Math.max(...COUNTS) + 1024;
  if (hard !== "unlimited" && Number(hard) < need) {
    throw new Error(
      `${Math.max(...COUNTS)} sockets need ~${need} open files per process; the hard limit is ${hard}. Raise it (e.g. ulimit -Hn ${need} as root, or LimitNOFILE) or run with fewer BENCH_SUBSCRIBERS.`,
    );
  }
  const dir = await mkdtemp(path.join(tmpdir(), "bench-subscribers-"));
  const kvs = await createLocalKvs({ port: 0, inMemory: true, demoStream: true });
  try {
    console.log(
      `Live subscribers on kvs-local's demo stream (1 fragment/s), window ${WINDOW_S} s, Node ${process.versions.node}, open-files hard limit ${hard}:`,
    );
    const results: RunResult[] = [];
    for (const count of COUNTS) {
      for (const shared of MODES) {
        const result = await runOnce(kvs, count, shared);
        results.push(result);
        console.log(line(result));
        if (result.others.length > 0)
          console.log(`    other messages: ${result.others.slice(0, 3).join(" / ")}`);
      }
    }
    for (const count of COUNTS) {
      const shared = results.find((r) => r.count === count && r.shared);
      const alone = results.find((r) => r.count === count && !r.shared);
      if (!shared) continue;
      reportFigure({
        figure: `${count} live subscribers on one stream: probe lag p99`,
        value: `${shared.probeP99.toFixed(0)} ms (p50 ${shared.probeP50.toFixed(0)} ms), ${shared.lost} lost, ${shared.heapKbPerSubscriber.toFixed(1)} KB heap per subscriber, ${shared.sessions} GetMedia session`,
        reference: alone
          ? `sharing off: ${alone.probeP99.toFixed(0)} ms (p50 ${alone.probeP50.toFixed(0)} ms), ${alone.heapKbPerSubscriber.toFixed(1)} KB`
          : "sharing off: not run",
        ratio: alone && alone.probeP99 > 0 ? shared.probeP99 / alone.probeP99 : null,
        note:
          count >= 10_000
            ? "targets: every event, p99 ≤ 100 ms, ≤ 20 KB"
            : "target: p99 ≤ 20 ms at 1,000",
      });
    }
    if (process.env.BENCH_QUERIES !== "0") await queries(kvs, dir);
    console.log(
      "Targets (issue 14): 10,000 subscribers with every event delivered, probe p99 ≤ 100 ms, ≤ 20 KB per subscriber; 1,000 subscribers probe p99 ≤ 20 ms.",
    );
  } finally {
    await kvs.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const [role, ...args] = process.argv.slice(2);
if (role === "gateway") await gatewayChild(args[0] ?? "", args[1] === "true");
else if (role === "load") await loadChild(args[0] ?? "", Number(args[1]));
else if (role === "probe") await probeChild(args[0] ?? "");
else await conduct();
