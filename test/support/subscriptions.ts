// Test plumbing for the GetMedia subscription tests: the gateway's real client wiring for sessions
// used without the GraphQL layer, live producers and graphql-ws clients closed together, fast
// reconnect delays, the start selectors the gateway sends, and readers of Subscription.fragments.

import type { GetMediaCommandInput, StartSelector } from "@aws-sdk/client-kinesis-video-media";
import type { FormattedExecutionResult } from "graphql";
import type { Client } from "graphql-ws";
import { expect } from "vitest";
import { EndpointCache } from "../../src/kvs/core/endpoints.ts";
import type { GetMediaSessionDeps } from "../../src/kvs/getmedia/session.ts";
import { getMediaClientsVia } from "../../src/kvs/getmedia/upstream.ts";
import type { LocalKvs } from "../../src/local-kvs/index.ts";
import { FragmentsSubscription } from "../gateway/subscriptions/documents.ts";
import type { LiveFragmentsSubscription } from "../generated/graphql.ts";
import { subscribeWs, wsClient } from "./graphql.ts";
import { kvsClients } from "./kvs-local.ts";
import { type LiveProducer, startLiveProducer } from "./seed.ts";
import type { Stack } from "./stack.ts";

/** Session dependencies wired like the gateway's: real SDK clients and the endpoint cache. */
export function gatewayClientsFor(kvs: LocalKvs): {
  deps: Pick<GetMediaSessionDeps, "getMediaClient" | "invalidateEndpoint">;
  close(): void;
} {
  const clients = kvsClients(kvs.endpoint);
  const endpoints = new EndpointCache(clients, { ttlMs: 60_000, max: 100 });
  return { deps: getMediaClientsVia(clients, endpoints), close: () => clients.destroy() };
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

  client(wsUrl: string, connectionParams?: Record<string, string>): Client {
    const created = wsClient(wsUrl, connectionParams);
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
  let failure: { error: unknown } | undefined;
  const reading = (async () => {
    for await (const result of subscription) {
      const event = result.data?.fragments;
      if (event?.__typename === "FragmentEvent") received.push(event.fragmentNumber);
      else others.push(JSON.stringify(result));
    }
  })().catch((error: unknown) => {
    // A socket that died (its gateway was killed) ends the reading; stop() reports it.
    failure = { error };
  });
  return {
    received,
    others,
    async stop() {
      await subscription.return?.();
      await reading;
      if (failure) throw failure.error;
    },
  };
}

export type FragmentsEvent = LiveFragmentsSubscription["fragments"];
export type FragmentsResults = AsyncIterableIterator<
  FormattedExecutionResult<LiveFragmentsSubscription>
>;

/** Reads up to `count` events, fewer if the subscription completes first (failing on GraphQL errors). */
export async function take(
  subscription: FragmentsResults,
  count: number,
): Promise<FragmentsEvent[]> {
  const events: FragmentsEvent[] = [];
  while (events.length < count) {
    const next = await subscription.next();
    if (next.done) break;
    expect(next.value.errors).toBeUndefined();
    if (next.value.data) events.push(next.value.data.fragments);
  }
  return events;
}

/** Each event's fragment number, or its type name when it is an error. */
export const numbersOf = (events: FragmentsEvent[]): string[] =>
  events.map((e) => (e.__typename === "FragmentEvent" ? e.fragmentNumber : e.__typename));
