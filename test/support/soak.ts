// The soak: live subscribers (graphql-ws and SSE), queries and clip downloads against the gateway
// at once, while kvs-local injects faults through its fault switches — GetMedia connections cut
// after a few bytes and mid-fragment, ClientLimitExceeded / ConnectionLimitExceeded / 500 on
// chosen calls, added latency, a stalled GetMedia response — and ends GetMedia sessions after a
// few seconds (getMediaSessionMaxSeconds). At the end: every subscriber must hold every persisted
// fragment from its first one on, exactly once and in order; no request may have got a 5xx; the
// gateway's heap must be back near its baseline. Bounded: a fixed duration, fixed counts.
// Used by test/soak/short-soak.e2e.test.ts (~30 s) and `npm run soak` (scripts/soak.ts).

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Fault } from "../../src/local-kvs/faults.ts";
import { DEMO_STREAM_NAME } from "../../src/local-kvs/index.ts";
import { type RawSubscriber, rawSseSubscriber, rawWsSubscriber } from "./raw-subscribers.ts";
import { LOAD_TEST_SECURITY, type Stack, startStack } from "./stack.ts";
import { FAST_BACKOFF } from "./subscriptions.ts";
import { waitFor } from "./wait.ts";

export interface SoakOptions {
  durationMs: number;
  wsSubscribers: number;
  sseSubscribers: number;
  /** Queries started per second (stream(name), streams, stream { fragments }, in turn). */
  queriesPerSecond: number;
  clipEveryMs: number;
  faultEveryMs: number;
  /** kvs-local ends each GetMedia session after this long. */
  getMediaSessionSeconds: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  persisted: number;
  subscribers: number;
  /** What is wrong; empty when the soak passed. */
  problems: string[];
  queries: number;
  clips: number;
  faults: number;
  statuses: Record<number, number>;
  heapBaselineMb: number;
  heapEndMb: number;
  elapsedMs: number;
}

/** How far above its baseline the gateway's heap may stay once everyone has left. */
const HEAP_SLACK_MB = 24;
/** The gateway gives up on a GetMedia response that sends nothing this long (and resumes). */
const STALL_TIMEOUT_MS = 2500;

const SUBSCRIPTION = `subscription Soak($name: String) {
  fragments(name: $name) {
    __typename
    ... on FragmentEvent { fragmentNumber serverTimestamp continuationToken }
    ... on KvsError { code message }
    ... on SlowSubscriber { message }
  }
}`;

const QUERIES = [
  `{ stream(name: "${DEMO_STREAM_NAME}") { __typename ... on Stream { name status } ... on KvsError { code } } }`,
  "{ streams(first: 10) { __typename ... on StreamConnection { edges { node { name } } } ... on KvsError { code } } }",
];

/** Faults in the order they are injected, round after round. */
function faultPlan(): Array<[string, Fault]> {
  return [
    ["GetMedia", { kind: "drop-after-bytes", bytes: 3000 }],
    ["ListFragments", { kind: "status", status: 500 }],
    ["GetMedia", { kind: "exception", exception: "ClientLimitExceededException" }],
    ["GetClip", { kind: "status", status: 500 }],
    // Far enough in to be inside a later fragment.
    ["GetMedia", { kind: "drop-after-bytes", bytes: 40_000 }],
    ["DescribeStream", { kind: "delay", ms: 400 }],
    ["GetMedia", { kind: "exception", exception: "ConnectionLimitExceededException" }],
    ["GetClip", { kind: "exception", exception: "ClientLimitExceededException" }],
    ["GetMedia", { kind: "stall-after-bytes", bytes: 8000, ms: STALL_TIMEOUT_MS * 2 }],
    ["ListStreams", { kind: "status", status: 500 }],
    ["GetMedia", { kind: "status", status: 500 }],
    ["GetDataEndpoint", { kind: "exception", exception: "ClientLimitExceededException" }],
    ["GetMedia", { kind: "delay", ms: 300 }],
  ];
}

const gc = (): void => {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
};

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

interface Reading {
  kind: "ws" | "sse";
  numbers: string[];
  others: string[];
  subscriber: RawSubscriber;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const problems: string[] = [];
  const statuses: Record<number, number> = {};
  const stack: Stack = await startStack({
    kvs: { demoStream: true, getMediaSessionMaxSeconds: options.getMediaSessionSeconds },
    gateway: {
      // Retries inside the gateway absorb single throttles and 500s, as in production.
      kvs: { maxAttempts: 3 },
      getMedia: { backoff: FAST_BACKOFF, stallTimeoutMs: STALL_TIMEOUT_MS },
      // Production's caches, so that a fault meets a warm path too.
      streamCache: { ttlMs: 2000, max: 100 },
      // The soak's one client plays hundreds of viewers.
      security: LOAD_TEST_SECURITY,
    },
  });
  const count = (status: number) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status >= 500) problems.push(`a request got HTTP ${status}`);
  };
  const post = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(stack.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    count(response.status);
    return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  };
  const readings: Reading[] = [];
  let queries = 0;
  let clips = 0;
  let faults = 0;
  try {
    // Warm up, then the baseline: every kind of request once, so that the code they compile (V8
    // keeps it, tens of MB) is in the baseline rather than counted as growth.
    const arn = stack.kvs.store.getStreamByName(DEMO_STREAM_NAME)?.streamArn ?? "";
    await waitFor(() => stack.kvs.store.listFragments(arn).length >= 4, 15_000, "demo fragments");
    for (const query of QUERIES) await post(query);
    await fragmentsQuery();
    await clip();
    const heapBaselineMb = heapMb();

    const open = (kind: "ws" | "sse") => {
      const numbers: string[] = [];
      const others: string[] = [];
      const subscription = {
        query: SUBSCRIPTION,
        variables: { name: DEMO_STREAM_NAME },
        onNext: (payload: string) => {
          const number = /"fragmentNumber":"(\d+)"/.exec(payload)?.[1];
          if (number) numbers.push(number);
          else others.push(payload);
        },
        onOther: (text: string) => others.push(text),
      };
      const subscriber =
        kind === "ws"
          ? rawWsSubscriber(stack.wsUrl, subscription)
          : rawSseSubscriber(stack.graphqlUrl, subscription);
      readings.push({ kind, numbers, others, subscriber });
    };
    for (let i = 0; i < options.wsSubscribers; i++) open("ws");
    for (let i = 0; i < options.sseSubscribers; i++) open("sse");
    await Promise.all(readings.map((reading) => reading.subscriber.ready));
    log(`${readings.length} subscribers ready; faults every ${options.faultEveryMs} ms`);

    const until = Date.now() + options.durationMs;
    const plan = faultPlan();
    const faulting = (async () => {
      for (let next = 0; Date.now() < until; next++) {
        const [operation, fault] = plan[next % plan.length] as [string, Fault];
        stack.kvs.faults.inject(operation, fault);
        faults++;
        await sleep(options.faultEveryMs);
      }
    })();
    const querying = (async () => {
      const gapMs = 1000 / options.queriesPerSecond;
      const inFlight = new Set<Promise<void>>();
      for (let next = 0; Date.now() < until; next++) {
        const one = (async () => {
          if (next % 3 === 2) await fragmentsQuery();
          else await post(QUERIES[next % 3] as string);
          queries++;
        })().catch((error: unknown) => {
          problems.push(`query failed: ${String(error)}`);
        });
        inFlight.add(one);
        void one.then(() => inFlight.delete(one));
        await sleep(gapMs);
      }
      await Promise.all(inFlight);
    })();
    const clipping = (async () => {
      while (Date.now() < until) {
        await clip().catch((error: unknown) => {
          problems.push(`clip failed: ${String(error)}`);
        });
        clips++;
        await sleep(options.clipEveryMs);
      }
    })();
    await Promise.all([faulting, querying, clipping]);

    // Faults off: the sessions recover, and everyone gets the fragments persisted by now.
    stack.kvs.faults.clear();
    const lastNow = () => stack.kvs.store.listFragments(arn).at(-1)?.fragmentNumber;
    const target = lastNow();
    await waitFor(
      () => readings.every((reading) => reading.numbers.includes(target ?? "")),
      20_000,
      "every subscriber to reach the newest fragment",
    ).catch((error: unknown) => problems.push(String(error)));
    const persisted = stack.kvs.store.listFragments(arn).map((fragment) => fragment.fragmentNumber);
    const end = persisted.indexOf(target ?? "");
    for (const [index, reading] of readings.entries()) {
      const first = persisted.indexOf(reading.numbers[0] ?? "");
      const expected = first < 0 ? [] : persisted.slice(first, end + 1);
      const got = reading.numbers.slice(0, expected.length);
      if (first < 0 || got.join() !== expected.join()) {
        problems.push(
          `${reading.kind} subscriber ${index}: got ${summary(reading.numbers)}, persisted ${summary(expected)}`,
        );
      }
      if (reading.others.length > 0) {
        problems.push(
          `${reading.kind} subscriber ${index}: ${reading.others.slice(0, 2).join(" / ")}`,
        );
      }
    }
    const expectedEach = persisted.length;
    for (const reading of readings) {
      reading.subscriber.close();
      // What the soak itself holds is not the gateway's.
      reading.numbers.length = 0;
      reading.others.length = 0;
    }
    await Promise.all(readings.map((reading) => reading.subscriber.ended));
    await waitFor(() => stack.services.getMedia.subscriberCount === 0, 10_000, "subscribers gone");
    await sleep(500);
    const heapEndMb = heapMb();
    if (heapEndMb > heapBaselineMb + HEAP_SLACK_MB) {
      problems.push(
        `heap ${heapEndMb.toFixed(1)} MB after the soak, baseline ${heapBaselineMb.toFixed(1)} MB`,
      );
    }
    return {
      persisted: expectedEach,
      subscribers: readings.length,
      problems: [...new Set(problems)],
      queries,
      clips,
      faults,
      statuses,
      heapBaselineMb,
      heapEndMb,
      elapsedMs: Date.now() - started,
    };
  } finally {
    for (const reading of readings) reading.subscriber.close();
    await stack.stop();
  }

  async function fragmentsQuery(): Promise<void> {
    const end = new Date(Date.now() - 2000).toISOString();
    const start = new Date(Date.now() - 30_000).toISOString();
    await post(
      `query F($range: TimeRange!) { stream(name: "${DEMO_STREAM_NAME}") { __typename ... on Stream { fragments(range: $range, timestampType: SERVER_TIMESTAMP, first: 50) { __typename ... on FragmentConnection { edges { node { number } } } ... on KvsError { code } } } } }`,
      { range: { start, end } },
    );
  }

  async function clip(): Promise<void> {
    const end = Date.now() - 1500;
    const result = await post(
      `query C($range: TimeRange!) { stream(name: "${DEMO_STREAM_NAME}") { __typename ... on Stream { clip(range: $range, timestampType: SERVER_TIMESTAMP) { __typename ... on Clip { url fragmentCount } ... on KvsError { code message } } } } }`,
      { range: { start: new Date(end - 4000).toISOString(), end: new Date(end).toISOString() } },
    );
    const made = (result.data?.stream as { clip?: { __typename: string; url?: string } })?.clip;
    if (made?.__typename !== "Clip" || !made.url) return;
    const response = await fetch(made.url);
    count(response.status);
    await response.arrayBuffer();
  }
}

function summary(numbers: string[]): string {
  if (numbers.length === 0) return "nothing";
  return `${numbers.length} (${numbers[0]?.slice(-6)}…${numbers.at(-1)?.slice(-6)})`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
