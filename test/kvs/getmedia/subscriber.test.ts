import { describe, expect, it } from "vitest";
import { SlowSubscriberError } from "../../../src/kvs/getmedia/errors.ts";
import { FragmentSubscriber } from "../../../src/kvs/getmedia/subscriber.ts";
import type { GetMediaFragment } from "../../../src/mkv/getmedia/types.ts";

function fragment(n: number): GetMediaFragment {
  const number = String(91343852333181432392682062600000000000000000000n + BigInt(n));
  return {
    fragmentNumber: number,
    serverTimestamp: "1700000000.000",
    serverTimestampMs: 1_700_000_000_000,
    producerTimestamp: "1700000000.000",
    producerTimestampMs: 1_700_000_000_000,
    millisBehindNow: 0,
    continuationToken: number,
    errorCode: null,
    errorId: null,
    complete: true,
    tracks: [],
    timecodeScaleNs: 1_000_000,
    clusterTimecodes: [0],
    blockCount: 1,
    keyframeCount: 1,
    lastBlockTruncated: false,
    byteSize: 100,
    durationMs: 1000,
    otherTags: [],
  };
}

describe("FragmentSubscriber", () => {
  it("drops a subscriber that falls `capacity` events behind, after what it buffered", async () => {
    const detached: FragmentSubscriber[] = [];
    const subscriber = new FragmentSubscriber(3, (s) => detached.push(s));
    for (let i = 0; i < 10; i++) subscriber.offer(fragment(i));
    expect(detached).toEqual([subscriber]);
    expect(subscriber.buffered).toBe(4);
    const events = [];
    for await (const event of subscriber) events.push(event);
    expect(
      events.slice(0, 3).map((e) => e.type === "fragment" && e.fragment.fragmentNumber),
    ).toEqual([0, 1, 2].map((i) => fragment(i).fragmentNumber));
    const last = events[3];
    expect(last?.type).toBe("error");
    if (last?.type !== "error") return;
    expect(last.error).toBeInstanceOf(SlowSubscriberError);
    // It tells the client where to resume: the last fragment it was given.
    expect((last.error as SlowSubscriberError).continuationToken).toBe(fragment(2).fragmentNumber);
  });

  it("hands events straight to a waiting reader and ends a pending next() on return()", async () => {
    const subscriber = new FragmentSubscriber(2, () => {});
    const first = subscriber.next();
    subscriber.offer(fragment(1));
    expect((await first).done).toBe(false);
    for (let i = 0; i < 10; i++) {
      const pending = subscriber.next();
      subscriber.offer(fragment(i));
      await pending;
    }
    expect(subscriber.isClosed).toBe(false);
    const pending = subscriber.next();
    await subscriber.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    subscriber.offer(fragment(99));
    expect(await subscriber.next()).toEqual({ value: undefined, done: true });
  });

  it("rejects a capacity that is not a positive integer", () => {
    expect(() => new FragmentSubscriber(0, () => {})).toThrow(RangeError);
  });
});
