// Subscription.fragments end to end: graphql-ws client → gateway → kvs-local GetMedia, with the
// demo camera and with a producer driven by the test.

import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_STREAM_NAME } from "../../../src/local-kvs/index.ts";
import { subscribeWs } from "../../support/graphql.ts";
import type { LiveProducer } from "../../support/seed.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { FAST_BACKOFF, numbersOf, OpenedForTest, take } from "../../support/subscriptions.ts";
import { waitFor } from "../../support/wait.ts";
import { FragmentsSubscription } from "./documents.ts";

let stack: Stack;
const opened = new OpenedForTest();

beforeAll(async () => {
  stack = await startStack({
    kvs: { demoStream: true },
    gateway: {
      getMedia: {
        backoff: FAST_BACKOFF,
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

describe("Subscription.fragments", () => {
  it("follows the live demo stream with consecutive fragments", async () => {
    const subscription = subscribeWs(client(), FragmentsSubscription, {
      name: DEMO_STREAM_NAME,
      start: { type: "NOW" },
    });
    const events = await take(subscription, 3);
    await subscription.return?.();

    const received = numbersOf(events);
    const arn = stack.kvs.store.getStreamByName(DEMO_STREAM_NAME)?.streamArn ?? "";
    const stored = stack.kvs.store.listFragments(arn).map((f) => f.fragmentNumber);
    const first = stored.indexOf(received[0] ?? "");
    expect(first).toBeGreaterThanOrEqual(0);
    expect(received).toEqual(stored.slice(first, first + 3));

    const event = events[0];
    expect(event?.__typename).toBe("FragmentEvent");
    if (event?.__typename !== "FragmentEvent") return;
    expect(event.serverTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(event.complete).toBe(true);
    expect(event.continuationToken).toBe(event.fragmentNumber);
    expect(event.blockCount).toBeGreaterThan(0);
    expect(event.keyframeCount).toBeGreaterThanOrEqual(1);
    expect(event.tracks[0]).toMatchObject({ kind: "VIDEO", codecId: "V_MPEG4/ISO/AVC" });
  });

  it("serves 50 concurrent subscribers with one upstream GetMedia", async () => {
    const live = await producer("sub-fanout");
    const before = stack.kvs.stats.count("GetMedia");
    const describesBefore = stack.kvs.stats.count("DescribeStream");
    const sockets = Array.from({ length: 5 }, () => client());
    const subscriptions = Array.from({ length: 50 }, (_, i) =>
      subscribeWs(sockets[i % 5] as Client, FragmentsSubscription, {
        name: "sub-fanout",
        start: { type: "NOW" },
      }),
    );
    // graphql-ws subscribes when the iterator is first read: start reading all of them.
    const reading = subscriptions.map((s) => take(s, 2));
    await waitFor(
      () => stack.services.getMedia.subscriberCount === 50,
      10_000,
      "50 subscribers to join",
    );
    await waitFor(() => stack.kvs.stats.inProgress("GetMedia") === 1, 5000, "GetMedia to open");
    const sent = await live.send(2);
    for (const events of await Promise.all(reading)) expect(numbersOf(events)).toEqual(sent);
    expect(stack.kvs.stats.count("GetMedia") - before).toBe(1);
    // The 50 resolve the stream's name to its ARN with one DescribeStream between them.
    expect(stack.kvs.stats.count("DescribeStream") - describesBefore).toBe(1);
    await Promise.all(subscriptions.map((s) => s.return?.()));
    await waitFor(() => stack.kvs.stats.inProgress("GetMedia") === 0, 2000, "GetMedia to close");
  });

  it("shares one upstream between subscribers naming the stream by name and by ARN", async () => {
    const live = await producer("sub-name-arn");
    const before = stack.kvs.stats.count("GetMedia");
    const socket = client();
    const byArn = subscribeWs(socket, FragmentsSubscription, {
      arn: live.arn,
      start: { type: "NOW" },
    });
    const byName = subscribeWs(socket, FragmentsSubscription, {
      name: "sub-name-arn",
      start: { type: "NOW" },
    });
    const reading = [take(byArn, 2), take(byName, 2)];
    await waitFor(() => stack.services.getMedia.subscriberCount === 2, 5000, "both to join");
    await waitFor(() => stack.kvs.stats.inProgress("GetMedia") === 1, 5000, "GetMedia to open");
    expect(stack.services.getMedia.sessionCount).toBe(1);
    const sent = await live.send(2);
    for (const events of await Promise.all(reading)) expect(numbersOf(events)).toEqual(sent);
    expect(stack.kvs.stats.count("GetMedia") - before).toBe(1);
    await byArn.return?.();
    await byName.return?.();
    await waitFor(() => stack.kvs.stats.inProgress("GetMedia") === 0, 2000, "GetMedia to close");
  });

  it("loses and repeats nothing when the backend drops GetMedia mid-fragment", async () => {
    const live = await producer("sub-drop");
    const sent = await live.send(5);
    const before = stack.kvs.stats.count("GetMedia");
    stack.kvs.faults.inject("GetMedia", { kind: "drop-after-bytes", bytes: 45_000, times: 2 });
    const subscription = subscribeWs(client(), FragmentsSubscription, {
      name: "sub-drop",
      start: { type: "EARLIEST" },
    });
    const reading = take(subscription, 7);
    await waitFor(() => stack.kvs.stats.count("GetMedia") - before >= 3, 10_000, "2 resumes");
    const more = await live.send(2);
    expect(numbersOf(await reading)).toEqual([...sent, ...more]);
    expect(stack.kvs.stats.count("GetMedia") - before).toBe(3);
    await subscription.return?.();
  });

  it("closes the upstream GetMedia within a second of unsubscribing", async () => {
    const live = await producer("sub-leave");
    const subscription = subscribeWs(client(), FragmentsSubscription, {
      name: "sub-leave",
      start: { type: "NOW" },
    });
    const first = take(subscription, 1);
    await waitFor(() => stack.kvs.stats.inProgress("GetMedia") === 1, 5000, "GetMedia to open");
    const sent = await live.send(1);
    expect(numbersOf(await first)).toEqual(sent);
    const abandonedBefore = stack.kvs.stats.abandoned("GetMedia");
    const leftAt = Date.now();
    await subscription.return?.();
    await waitFor(() => stack.kvs.stats.inProgress("GetMedia") === 0, 1000, "GetMedia to close");
    expect(Date.now() - leftAt).toBeLessThan(1000);
    // The gateway hung up (the backend saw its client go away), not the backend.
    expect(stack.kvs.stats.abandoned("GetMedia")).toBe(abandonedBefore + 1);
    expect(stack.services.getMedia.sessionCount).toBe(0);
  });

  it("refuses bad arguments before calling KVS and types KVS's own errors", async () => {
    const socket = client();
    const calls = () =>
      stack.kvs.stats.count("GetDataEndpoint") + stack.kvs.stats.count("GetMedia");
    const before = calls();
    const cases = [
      {
        variables: { name: "demo", start: { type: "FRAGMENT_NUMBER" as const } },
        argument: "start.afterFragmentNumber",
      },
      {
        variables: { name: "demo", start: { type: "NOW" as const, continuationToken: "1" } },
        argument: "start.continuationToken",
      },
      {
        variables: {
          name: "demo",
          start: { type: "CONTINUATION_TOKEN" as const, continuationToken: "bad token!" },
        },
        argument: "start.continuationToken",
      },
      { variables: { name: "bad name!", start: { type: "NOW" as const } }, argument: "name" },
      { variables: { start: { type: "NOW" as const } }, argument: "name" },
    ];
    for (const { variables, argument } of cases) {
      const events = await take(subscribeWs(socket, FragmentsSubscription, variables), 2);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ __typename: "InvalidArgument", argument });
    }
    expect(calls()).toBe(before);

    const missing = await take(
      subscribeWs(socket, FragmentsSubscription, { name: "no-such-stream" }),
      2,
    );
    expect(missing).toEqual([
      expect.objectContaining({
        __typename: "ResourceNotFound",
        code: "ResourceNotFoundException",
      }),
    ]);

    const live = await producer("sub-error-id");
    await live.send(2);
    stack.kvs.faults.inject("GetMedia", { kind: "media-error", errorId: 4000, afterFragments: 1 });
    const ended = await take(
      subscribeWs(socket, FragmentsSubscription, {
        name: "sub-error-id",
        start: { type: "EARLIEST" },
      }),
      3,
    );
    expect(numbersOf(ended)).toEqual([live.persisted[0], "GetMediaError"]);
    expect(ended[1]).toMatchObject({
      errorId: 4000,
      meaning: "Requested fragment is not found",
      code: "FRAGMENT_NOT_FOUND",
      retryable: false,
    });
  });
});
