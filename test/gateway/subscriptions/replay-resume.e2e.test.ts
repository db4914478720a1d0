// Resumes close to the live edge are served from the shared NOW session's replay buffer: a
// subscriber dropped as SlowSubscriber resumes with its CONTINUATION_TOKEN (or a FRAGMENT_NUMBER
// start) and gets every fragment it missed once, in order, then the live ones, without another
// GetMedia connection. A resume the buffer no longer holds gets a private session as before.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metricsRegistry } from "../../../src/gateway/observability/metrics.ts";
import { SlowSubscriberError } from "../../../src/kvs/getmedia/errors.ts";
import type { FragmentFeedEvent } from "../../../src/kvs/getmedia/subscriber.ts";
import { subscribeWs } from "../../support/graphql.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { numbersOf, OpenedForTest, readFragments, take } from "../../support/subscriptions.ts";
import { waitFor } from "../../support/wait.ts";
import { FragmentsSubscription } from "./documents.ts";

const SUBSCRIBER_BUFFER = 3;
const REPLAY_ENTRIES = 6;

let stack: Stack;
const opened = new OpenedForTest();

beforeAll(async () => {
  stack = await startStack({
    kvs: { getMediaRatePerSecond: 0 },
    gateway: {
      getMedia: { subscriberBuffer: SUBSCRIBER_BUFFER, replayBufferEntries: REPLAY_ENTRIES },
    },
  });
});

afterAll(async () => {
  await opened.close();
  await stack.stop();
});

const getMediaCalls = () => stack.kvs.stats.count("GetMedia");
const getMediaOpen = () => stack.kvs.stats.inProgress("GetMedia");

/** Resumes served from a replay buffer so far (kvs_gateway_cache_lookups_total). */
async function replayed(): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric("kvs_gateway_cache_lookups_total")?.get();
  return metric?.values.find((value) => value.labels.cache === "getmedia_replay")?.value ?? 0;
}

/** Reads a fan-out feed to its end. */
async function drain(feed: AsyncIterableIterator<FragmentFeedEvent>): Promise<FragmentFeedEvent[]> {
  const events: FragmentFeedEvent[] = [];
  for await (const event of feed) events.push(event);
  return events;
}

describe("the shared NOW session's replay buffer", () => {
  it("serves a SlowSubscriber's resume from the buffer, every fragment once and in order, with no extra GetMedia", async () => {
    const name = "replay-slow";
    const live = await opened.producer(stack.kvs, name);
    const socket = opened.client(stack.wsUrl);
    const fast = readFragments(socket, name);
    await waitFor(() => getMediaOpen() === 1, 5000, "the shared session's GetMedia");
    // A subscriber of the same shared session that reads nothing: dropped past its buffer.
    const slow = stack.services.getMedia.subscribe({ arn: live.arn }, { type: "NOW" });
    const sent = await live.send(5);
    await waitFor(() => fast.received.length === 5, 5000, "the fast reader's 5 fragments");
    const slowEvents = await drain(slow);
    const dropped = slowEvents.at(-1);
    if (dropped?.type !== "error" || !(dropped.error instanceof SlowSubscriberError)) {
      throw new Error(`expected a SlowSubscriber drop, got ${JSON.stringify(dropped)}`);
    }
    const token = dropped.error.continuationToken;
    expect(token).not.toBeNull();
    const seenBySlow = slowEvents.flatMap((e) =>
      e.type === "fragment" ? [e.fragment.fragmentNumber] : [],
    );
    expect(seenBySlow).toEqual(sent.slice(0, SUBSCRIBER_BUFFER));

    const calls = getMediaCalls();
    const replayedBefore = await replayed();
    const resumed = subscribeWs(socket, FragmentsSubscription, {
      name,
      start: { type: "CONTINUATION_TOKEN", continuationToken: token ?? "" },
    });
    // What it missed, from the buffer…
    expect(numbersOf(await take(resumed, 2))).toEqual(sent.slice(SUBSCRIBER_BUFFER));
    // …then the live session's next fragments, with nothing repeated or skipped.
    const more = await live.send(2);
    expect(numbersOf(await take(resumed, 2))).toEqual(more);
    expect(getMediaCalls()).toBe(calls);
    expect(getMediaOpen()).toBe(1);
    expect(stack.services.getMedia.sessionCount).toBe(1);
    await waitFor(() => fast.received.length === 7, 5000, "the fast reader's 7 fragments");
    expect(fast.received).toEqual([...sent, ...more]);

    // A FRAGMENT_NUMBER start the buffer holds is served alike.
    const after = subscribeWs(socket, FragmentsSubscription, {
      name,
      start: { type: "FRAGMENT_NUMBER", afterFragmentNumber: more[0] ?? "" },
    });
    expect(numbersOf(await take(after, 1))).toEqual(more.slice(1));
    expect(getMediaCalls()).toBe(calls);
    expect((await replayed()) - replayedBefore).toBe(2);

    await resumed.return?.();
    await after.return?.();
    await fast.stop();
    await waitFor(() => getMediaOpen() === 0, 2000, "the shared GetMedia to close");
  });

  it("opens a private session for a resume the buffer no longer holds", async () => {
    const name = "replay-evicted";
    const live = await opened.producer(stack.kvs, name);
    const socket = opened.client(stack.wsUrl);
    const fast = readFragments(socket, name);
    await waitFor(() => getMediaOpen() === 1, 5000, "the shared session's GetMedia");
    const sent = await live.send(REPLAY_ENTRIES + 2);
    await waitFor(() => fast.received.length === sent.length, 5000, "the fast reader's fragments");
    const calls = getMediaCalls();
    // The first fragment has left the buffer (it holds the last REPLAY_ENTRIES).
    const resumed = subscribeWs(socket, FragmentsSubscription, {
      name,
      start: { type: "FRAGMENT_NUMBER", afterFragmentNumber: sent[0] ?? "" },
    });
    const events = await take(resumed, SUBSCRIBER_BUFFER);
    expect(numbersOf(events)).toEqual(sent.slice(1, 1 + SUBSCRIBER_BUFFER));
    expect(getMediaCalls()).toBe(calls + 1);
    await resumed.return?.();
    await fast.stop();
    await waitFor(() => getMediaOpen() === 0, 2000, "every GetMedia to close");
  });
});
