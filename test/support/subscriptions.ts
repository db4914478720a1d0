// Test plumbing for the GetMedia subscription tests: a producer that puts fragments into a
// kvs-local stream on demand (one PutMedia connection, one Cluster per fragment), and the
// gateway's real client wiring for sessions used without the GraphQL layer.

import type { GetMediaCommandInput, StartSelector } from "@aws-sdk/client-kinesis-video-media";
import type { FormattedExecutionResult } from "graphql";
import type { Client } from "graphql-ws";
import { KvsClients } from "../../src/kvs/core/clients.ts";
import { EndpointCache } from "../../src/kvs/core/endpoints.ts";
import type { GetMediaSessionDeps } from "../../src/kvs/getmedia/session.ts";
import { getMediaClientsVia } from "../../src/kvs/getmedia/upstream.ts";
import { withClusterTimecode } from "../../src/local-kvs/demo/cluster-timecode.ts";
import { loadDemoClip } from "../../src/local-kvs/demo/demo-sample.ts";
import type { LocalKvs } from "../../src/local-kvs/index.ts";
import { putMedia } from "../../src/local-kvs/producer/put-media-client.ts";
import { FragmentsSubscription } from "../gateway/subscriptions/documents.ts";
import type { LiveFragmentsSubscription } from "../generated/graphql.ts";
import { subscribeWs, wsClient } from "./graphql.ts";
import { createStreams } from "./seed.ts";
import type { Stack } from "./stack.ts";

export interface LiveProducer {
  /** Sends `count` fragments; resolves with their fragment numbers once all are PERSISTED. */
  send(count: number): Promise<string[]>;
  /** Every fragment number persisted so far, in order. */
  readonly persisted: readonly string[];
  /** The stream's ARN. */
  readonly arn: string;
  stop(): Promise<void>;
}

/** Creates `streamName` and opens a PutMedia connection that sends a Cluster per `send`. */
export async function startLiveProducer(kvs: LocalKvs, streamName: string): Promise<LiveProducer> {
  const [arn] = await createStreams(kvs, [streamName]);
  if (!arn) throw new Error(`CreateStream ${streamName} returned no ARN`);
  const clip = await loadDemoClip();
  const ticksPerMs = 1e6 / clip.timecodeScaleNs;
  const queue: Uint8Array[] = [clip.header];
  let wakeBody: (() => void) | undefined;
  let ended = false;
  let sent = 0;
  // Capture times in the recent past, one loop of the clip after another.
  const baseMs = Date.now() - 60_000;

  async function* body(): AsyncGenerator<Uint8Array> {
    while (true) {
      const next = queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => {
        wakeBody = resolve;
      });
      wakeBody = undefined;
    }
  }

  const abort = new AbortController();
  const session = putMedia({
    endpoint: kvs.endpoint,
    streamName,
    body: body(),
    timecodeType: "ABSOLUTE",
    producerStartTimestampMs: baseMs,
    signal: abort.signal,
  });
  const persisted: string[] = [];
  const waiters: Array<{ count: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  const settle = () => {
    for (const waiter of [...waiters]) {
      if (persisted.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const acks = (async () => {
    for await (const ack of session.acks) {
      if (ack.EventType === "ERROR") throw new Error(`PutMedia ERROR ${JSON.stringify(ack)}`);
      if (ack.EventType === "PERSISTED" && ack.FragmentNumber) {
        persisted.push(ack.FragmentNumber);
        settle();
      }
    }
  })().catch((error: unknown) => {
    for (const waiter of waiters.splice(0)) waiter.reject(error);
  });

  return {
    persisted,
    arn,
    async send(count) {
      const from = persisted.length;
      const target = sent + count;
      for (; sent < target; sent++) {
        const index = sent % clip.clusters.length;
        const loop = Math.floor(sent / clip.clusters.length);
        const cluster = clip.clusters[index];
        if (!cluster) throw new Error("the demo clip has no clusters");
        const captureMs = baseMs + loop * clip.loopMs + cluster.offsetMs;
        queue.push(withClusterTimecode(cluster.bytes, Math.round(captureMs * ticksPerMs)));
      }
      wakeBody?.();
      await new Promise<void>((resolve, reject) => {
        waiters.push({ count: target, resolve, reject });
        settle();
      });
      return persisted.slice(from, target);
    },
    async stop() {
      ended = true;
      wakeBody?.();
      await Promise.race([session.done.catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
      abort.abort();
      await acks;
    },
  };
}

/** Session dependencies wired like the gateway's: real SDK clients and the endpoint cache. */
export function gatewayClientsFor(kvs: LocalKvs): {
  deps: Pick<GetMediaSessionDeps, "getMediaClient" | "invalidateEndpoint">;
  close(): void;
} {
  const clients = new KvsClients({
    region: "us-east-1",
    endpoint: kvs.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  const endpoints = new EndpointCache(clients, { ttlMs: 60_000, max: 100 });
  return { deps: getMediaClientsVia(clients, endpoints), close: () => clients.destroy() };
}

/** Polls `condition` every 20 ms until it holds or `timeoutMs` passes. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs: number,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The producers and graphql-ws clients a test file opens, closed together in its afterAll. */
export class OpenedForTest {
  readonly #producers: LiveProducer[] = [];
  readonly #clients: Client[] = [];

  async producer(kvs: LocalKvs, streamName: string): Promise<LiveProducer> {
    const started = await startLiveProducer(kvs, streamName);
    this.#producers.push(started);
    return started;
  }

  client(wsUrl: string): Client {
    const created = wsClient(wsUrl);
    this.#clients.push(created);
    return created;
  }

  async close(): Promise<void> {
    for (const client of this.#clients) await client.dispose();
    for (const producer of this.#producers) await producer.stop();
  }
}

/** Reconnect delays short enough for tests (the defaults are tuned for KVS). */
export const FAST_BACKOFF = {
  baseMs: 20,
  maxMs: 200,
  throttledBaseMs: 50,
  idleBaseMs: 20,
  idleMaxMs: 100,
};

let recorders = 0;

/** The start selectors the gateway's own GetMedia client sends from now on (requests go on unchanged). */
export function recordStartSelectors(stack: Stack): StartSelector[] {
  const selectors: StartSelector[] = [];
  stack.services.clients.media(stack.kvs.endpoint).middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as GetMediaCommandInput;
      if (input.StartSelector) selectors.push(input.StartSelector);
      return next(args);
    },
    { step: "initialize", name: `recordStartSelector${++recorders}` },
  );
  return selectors;
}

export interface FragmentReading {
  /** Fragment numbers of the FragmentEvents received, in order. */
  readonly received: string[];
  /** Every other result, as JSON (errors and error events). */
  readonly others: string[];
  /** Unsubscribes and waits for the reading to end. */
  stop(): Promise<void>;
}

/** Subscribes to a stream's fragments at NOW over `socket` and collects what arrives. */
export function readFragments(socket: Client, name: string): FragmentReading {
  const subscription = subscribeWs(socket, FragmentsSubscription, {
    name,
    start: { type: "NOW" },
  }) as AsyncIterableIterator<FormattedExecutionResult<LiveFragmentsSubscription>>;
  const received: string[] = [];
  const others: string[] = [];
  const reading = (async () => {
    for await (const result of subscription) {
      const event = result.data?.fragments;
      if (event?.__typename === "FragmentEvent") received.push(event.fragmentNumber);
      else others.push(JSON.stringify(result));
    }
  })();
  return {
    received,
    others,
    async stop() {
      await subscription.return?.();
      await reading;
    },
  };
}
