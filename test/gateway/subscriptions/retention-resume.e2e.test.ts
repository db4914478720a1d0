// A stream that stays idle longer than its retention: the last fragment a NOW session delivered
// leaves KVS, so resuming from its continuation token gets ERROR 4000. The subscription must go
// on (reopening by server time just after that fragment), not end with FRAGMENT_NOT_FOUND.

import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wsClient } from "../../support/graphql.ts";
import { type LiveProducer, startLiveProducer } from "../../support/seed.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { FAST_BACKOFF, readFragments, recordStartSelectors } from "../../support/subscriptions.ts";
import { waitFor } from "../../support/wait.ts";

const HOUR_MS = 3_600_000;
/** The backend's clock runs this far ahead of the wall clock (moved forward by the test). */
let offsetMs = 0;

let stack: Stack;
let socket: Client;
let producer: LiveProducer | undefined;

beforeAll(async () => {
  stack = await startStack({
    kvs: { clock: { now: () => Date.now() + offsetMs }, getMediaSessionMaxSeconds: 1 },
    gateway: {
      getMedia: {
        backoff: FAST_BACKOFF,
      },
    },
  });
  socket = wsClient(stack.wsUrl);
});

afterAll(async () => {
  await socket?.dispose();
  await producer?.stop();
  await stack?.stop();
});

describe("Subscription.fragments on a stream idle past its retention", () => {
  it("resumes by server time when the last delivered fragment has expired", async () => {
    producer = await startLiveProducer(stack.kvs, "sub-retention");
    const live = producer;
    const selectors = recordStartSelectors(stack);
    const { received, others, stop } = readFragments(socket, "sub-retention");
    const stats = stack.kvs.stats;
    await waitFor(() => stats.inProgress("GetMedia") === 1, 5000, "GetMedia to open");

    const [first] = await live.send(1);
    await waitFor(() => received.length === 1, 10_000, "the first fragment");

    // A day and an hour later (retention is 24 h), the first fragment is gone from the stream.
    offsetMs = 25 * HOUR_MS;
    const before = selectors.length;
    await waitFor(
      () => selectors.slice(before).some((s) => s.StartSelectorType === "SERVER_TIMESTAMP"),
      10_000,
      "a reopen by server time",
    );
    const [second] = await live.send(1);
    await waitFor(() => received.length === 2, 10_000, "the next fragment");

    expect(others).toEqual([]);
    expect(received).toEqual([first, second]);
    const reopened = selectors
      .slice(before)
      .find((s) => s.StartSelectorType === "SERVER_TIMESTAMP");
    expect(reopened?.StartTimestamp?.getTime()).toBeLessThan(Date.now() + offsetMs);

    await stop();
  });
});
