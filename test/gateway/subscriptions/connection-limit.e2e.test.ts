// KVS allows 3 concurrent GetMedia connections per stream. Through the gateway: private sessions
// (starts other than NOW) past the gateway's per-stream cap are refused at once without calling
// KVS, the shared NOW session keeps its connection, and when other consumers hold the stream's
// connections KVS's own ConnectionLimitExceeded reaches the subscriber typed.

import { GetMediaCommand } from "@aws-sdk/client-kinesis-video-media";
import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscribeWs } from "../../support/graphql.ts";
import type { LiveProducer } from "../../support/seed.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { gatewayClientsFor, numbersOf, OpenedForTest, take } from "../../support/subscriptions.ts";
import { waitFor } from "../../support/wait.ts";
import { FragmentsSubscription } from "./documents.ts";

const MAX_CONSECUTIVE_FAILURES = 2;

let stack: Stack;
const opened = new OpenedForTest();

beforeAll(async () => {
  stack = await startStack({
    // Only the connection limit may refuse GetMedia here, not the per-second rate.
    kvs: { getMediaRatePerSecond: 0 },
    gateway: {
      getMedia: {
        maxConsecutiveFailures: MAX_CONSECUTIVE_FAILURES,
        // One client takes the stream's private sessions here: the per-stream cap is the subject
        // (the per-principal share is principal-sessions.e2e.test.ts's).
        maxPrivateSessionsPerOwner: Number.POSITIVE_INFINITY,
        backoff: { baseMs: 20, maxMs: 100, throttledBaseMs: 20, idleBaseMs: 20, idleMaxMs: 100 },
      },
    },
  });
});

afterAll(async () => {
  await opened.close();
  await stack.stop();
});

function client(): Client {
  return opened.client(stack.wsUrl);
}

function producer(streamName: string): Promise<LiveProducer> {
  return opened.producer(stack.kvs, streamName);
}

/** Another consumer of the stream (not the gateway) holding `count` GetMedia connections open. */
async function holdGetMedia(arn: string, count: number): Promise<() => void> {
  const wiring = gatewayClientsFor(stack.kvs);
  const abort = new AbortController();
  const media = await wiring.deps.getMediaClient({ arn });
  const requests = Array.from({ length: count }, () =>
    media
      .send(
        new GetMediaCommand({ StreamARN: arn, StartSelector: { StartSelectorType: "EARLIEST" } }),
        { abortSignal: abort.signal },
      )
      .catch(() => undefined),
  );
  return () => {
    abort.abort();
    void Promise.all(requests).then(() => wiring.close());
  };
}

const getMediaCalls = () => stack.kvs.stats.count("GetMedia");
const getMediaOpen = () => stack.kvs.stats.inProgress("GetMedia");

describe("GetMedia connections per stream", () => {
  it("refuses a third private session at once and without calling KVS; NOW still gets its connection", async () => {
    const live = await producer("cap-private");
    const sent = await live.send(2);
    const socket = client();
    const earliest = subscribeWs(socket, FragmentsSubscription, {
      name: "cap-private",
      start: { type: "EARLIEST" },
    });
    const after = subscribeWs(socket, FragmentsSubscription, {
      name: "cap-private",
      start: { type: "FRAGMENT_NUMBER", afterFragmentNumber: sent[0] ?? "" },
    });
    expect(numbersOf(await take(earliest, 2))).toEqual(sent);
    expect(numbersOf(await take(after, 1))).toEqual(sent.slice(1));
    expect(getMediaOpen()).toBe(2);

    const callsBefore = getMediaCalls();
    const refused = await take(
      subscribeWs(socket, FragmentsSubscription, {
        arn: live.arn,
        start: { type: "CONTINUATION_TOKEN", continuationToken: sent[0] ?? "" },
      }),
      2,
    );
    expect(refused).toEqual([
      {
        __typename: "ConnectionLimitExceeded",
        code: "ConnectionLimitExceededException",
        message: expect.stringContaining("do not start at NOW"),
        retryable: true,
        requestId: null,
      },
    ]);
    expect(getMediaCalls()).toBe(callsBefore);
    expect(stack.services.getMedia.sessionCount).toBe(2);

    // The connection left for the shared NOW session.
    const now = subscribeWs(socket, FragmentsSubscription, {
      name: "cap-private",
      start: { type: "NOW" },
    });
    const nowReading = take(now, 1);
    await waitFor(() => getMediaOpen() === 3, 5000, "the NOW session's GetMedia to open");
    const more = await live.send(1);
    expect(numbersOf(await nowReading)).toEqual(more);
    expect(numbersOf(await take(earliest, 1))).toEqual(more);

    // A private session that ends frees its place.
    await earliest.return?.();
    await waitFor(() => getMediaOpen() === 2, 2000, "the EARLIEST GetMedia to close");
    const again = subscribeWs(socket, FragmentsSubscription, {
      name: "cap-private",
      start: { type: "EARLIEST" },
    });
    expect(numbersOf(await take(again, 3))).toEqual([...sent, ...more]);
    expect(getMediaCalls()).toBe(callsBefore + 2);
    for (const subscription of [after, now, again]) await subscription.return?.();
    await waitFor(() => getMediaOpen() === 0, 2000, "every GetMedia to close");
  });

  it("ends with KVS's own ConnectionLimitExceeded when other consumers hold the stream's connections", async () => {
    const live = await producer("cap-backend");
    await live.send(1);
    const release = await holdGetMedia(live.arn, 3);
    try {
      await waitFor(() => getMediaOpen() === 3, 5000, "the other consumer's 3 GetMedia");
      const callsBefore = getMediaCalls();
      const events = await take(
        subscribeWs(client(), FragmentsSubscription, {
          name: "cap-backend",
          start: { type: "NOW" },
        }),
        2,
      );
      expect(events).toEqual([
        {
          __typename: "ConnectionLimitExceeded",
          code: "ConnectionLimitExceededException",
          message: expect.stringContaining("concurrent GetMedia connections"),
          retryable: true,
          requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        },
      ]);
      // Throttling is retried with backoff before the subscription ends.
      expect(getMediaCalls() - callsBefore).toBe(MAX_CONSECUTIVE_FAILURES);
      expect(stack.services.getMedia.sessionCount).toBe(0);
    } finally {
      release();
    }
    await waitFor(() => getMediaOpen() === 0, 2000, "the other consumer's GetMedia to close");
  });
});
