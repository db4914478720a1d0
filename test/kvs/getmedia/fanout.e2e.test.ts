// GetMediaFanout against kvs-local: one upstream per stream for NOW, one per other selector,
// bounded per-subscriber buffers, and the upstream closed when the last subscriber leaves.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionLimitExceededError } from "../../../src/kvs/core/errors.ts";
import { SlowSubscriberError } from "../../../src/kvs/getmedia/errors.ts";
import { GetMediaFanout } from "../../../src/kvs/getmedia/fanout.ts";
import type { FragmentFeedEvent } from "../../../src/kvs/getmedia/subscriber.ts";
import type { LocalKvs } from "../../../src/local-kvs/index.ts";
import { startLocalKvs } from "../../support/kvs-local.ts";
import type { LiveProducer } from "../../support/seed.ts";
import { gatewayClientsFor, OpenedForTest } from "../../support/subscriptions.ts";
import { waitFor } from "../../support/wait.ts";

let kvs: LocalKvs;
let wiring: ReturnType<typeof gatewayClientsFor>;
const opened = new OpenedForTest();
const fanouts: GetMediaFanout[] = [];

beforeAll(async () => {
  kvs = await startLocalKvs();
  wiring = gatewayClientsFor(kvs);
});

afterAll(async () => {
  for (const fanout of fanouts) fanout.close();
  await opened.close();
  wiring.close();
  await kvs.stop();
});

function producer(streamName: string): Promise<LiveProducer> {
  return opened.producer(kvs, streamName);
}

function fanout(subscriberBuffer?: number, maxPrivateSessionsPerStream?: number): GetMediaFanout {
  const created = new GetMediaFanout({
    ...wiring.deps,
    subscriberBuffer,
    maxPrivateSessionsPerStream,
  });
  fanouts.push(created);
  return created;
}

/** Reads `count` events from an iterator (which must produce them). */
async function take(
  iterator: AsyncIterableIterator<FragmentFeedEvent>,
  count: number,
): Promise<FragmentFeedEvent[]> {
  const events: FragmentFeedEvent[] = [];
  while (events.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    events.push(next.value);
  }
  return events;
}

const numbers = (events: FragmentFeedEvent[]) =>
  events.map((e) => (e.type === "fragment" ? e.fragment.fragmentNumber : `error ${e.error.name}`));

describe("GetMediaFanout", () => {
  it("serves 50 NOW subscribers from one GetMedia and closes it when the last leaves", async () => {
    const live = await producer("fanout-50");
    const hub = fanout();
    const before = kvs.stats.count("GetMedia");
    const subscribers = Array.from({ length: 50 }, () =>
      hub.subscribe({ arn: live.arn }, { type: "NOW" }),
    );
    expect(hub.sessionCount).toBe(1);
    await waitFor(() => kvs.stats.inProgress("GetMedia") === 1, 5000, "GetMedia to open");
    const sent = await live.send(3);
    const received = await Promise.all(subscribers.map((s) => take(s, 3)));
    for (const events of received) expect(numbers(events)).toEqual(sent);
    expect(kvs.stats.count("GetMedia") - before).toBe(1);

    // Leaving one by one keeps the upstream until the last one goes.
    for (const subscriber of subscribers.slice(1)) await subscriber.return?.();
    expect(hub.sessionCount).toBe(1);
    expect(kvs.stats.inProgress("GetMedia")).toBe(1);
    const leftAt = Date.now();
    await subscribers[0]?.return?.();
    expect(hub.sessionCount).toBe(0);
    await waitFor(() => kvs.stats.inProgress("GetMedia") === 0, 1000, "GetMedia to close");
    expect(Date.now() - leftAt).toBeLessThan(1000);
    expect(kvs.stats.count("GetMedia") - before).toBe(1);
  });

  it("drops a subscriber that stops reading, without holding up the others", async () => {
    const live = await producer("fanout-slow");
    const hub = fanout(4);
    const slow = hub.subscribe({ arn: live.arn }, { type: "NOW" });
    const fast = hub.subscribe({ arn: live.arn }, { type: "NOW" });
    await waitFor(() => kvs.stats.inProgress("GetMedia") === 1, 5000, "GetMedia to open");
    const reading = take(fast, 8);
    const sent = await live.send(8);
    expect(numbers(await reading)).toEqual(sent);

    // The slow one still gets what fitted in its buffer, then the typed error, then the end.
    const slowEvents = await take(slow, 10);
    expect(numbers(slowEvents.slice(0, 4))).toEqual(sent.slice(0, 4));
    const error = slowEvents[4];
    expect(slowEvents).toHaveLength(5);
    expect(error?.type === "error" && error.error).toBeInstanceOf(SlowSubscriberError);
    if (error?.type === "error" && error.error instanceof SlowSubscriberError) {
      expect(error.error.continuationToken).toBe(sent[3]);
      expect(error.error.bufferSize).toBe(4);
    }
    expect(hub.subscriberCount).toBe(1);
    await fast.return?.();
  });

  it("gives each other start selector its own session", async () => {
    const live = await producer("fanout-selectors");
    const sent = await live.send(3);
    const hub = fanout();
    const before = kvs.stats.count("GetMedia");
    const first = hub.subscribe({ arn: live.arn }, { type: "EARLIEST" });
    const second = hub.subscribe(
      { arn: live.arn },
      { type: "FRAGMENT_NUMBER", afterFragmentNumber: sent[0] ?? "" },
    );
    expect(hub.sessionCount).toBe(2);
    expect(numbers(await take(first, 3))).toEqual(sent);
    expect(numbers(await take(second, 2))).toEqual(sent.slice(1));
    expect(kvs.stats.count("GetMedia") - before).toBe(2);
    await first.return?.();
    await second.return?.();
    expect(hub.sessionCount).toBe(0);
    await waitFor(() => kvs.stats.inProgress("GetMedia") === 0, 1000, "GetMedia to close");
  });

  it("caps private sessions per stream, refusing the next one without calling KVS", async () => {
    const [first, second] = await Promise.all([producer("fanout-cap-a"), producer("fanout-cap-b")]);
    if (!first || !second) throw new Error("no producers");
    await first.send(1);
    const hub = fanout(undefined, 1);
    const before = kvs.stats.count("GetMedia");
    const open = hub.subscribe({ arn: first.arn }, { type: "EARLIEST" });
    const refused = hub.subscribe({ arn: first.arn }, { type: "EARLIEST" });
    const events = await take(refused, 2);
    expect(events).toHaveLength(1);
    const error = events[0]?.type === "error" ? events[0].error : undefined;
    expect(error).toBeInstanceOf(ConnectionLimitExceededError);
    expect(error instanceof ConnectionLimitExceededError && error.requestId).toBeUndefined();
    // NOW sessions and other streams do not count against it.
    const now = hub.subscribe({ arn: first.arn }, { type: "NOW" });
    const other = hub.subscribe({ arn: second.arn }, { type: "EARLIEST" });
    expect(hub.sessionCount).toBe(3);
    await waitFor(() => kvs.stats.count("GetMedia") - before === 3, 5000, "3 GetMedia calls");

    await open.return?.();
    const next = hub.subscribe({ arn: first.arn }, { type: "EARLIEST" });
    expect(numbers(await take(next, 1))).toEqual(first.persisted.slice(0, 1));
    expect(kvs.stats.count("GetMedia") - before).toBe(4);
    for (const subscriber of [now, other, next]) await subscriber.return?.();
    await waitFor(() => kvs.stats.inProgress("GetMedia") === 0, 1000, "GetMedia to close");
  });

  it("rejects a cap that is not a whole number", () => {
    for (const cap of [-1, 1.5, Number.NaN]) {
      expect(
        () => new GetMediaFanout({ ...wiring.deps, maxPrivateSessionsPerStream: cap }),
      ).toThrow(RangeError);
    }
    expect(
      () => new GetMediaFanout({ ...wiring.deps, maxPrivateSessionsPerStream: Infinity }),
    ).not.toThrow();
  });
});
