// The PutMedia idle watch on a fake clock: IDLE acks every interval of quiet counted from the
// start of each wait, the timeout at exactly its time (also when the interval does not divide
// it), and one timer per connection however many chunks arrive.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { IDLE_TIMEOUT, IdleWatch } from "../../../src/local-kvs/ingest/idle-acks.ts";

function pending<T>() {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("IdleWatch", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("acks IDLE per interval of quiet and gives up at the timeout the interval does not divide", async () => {
    const idleAt: number[] = [];
    const start = Date.now();
    const watch = new IdleWatch({
      ackIntervalMs: 300,
      timeoutMs: 1000,
      sendIdle: () => idleAt.push(Date.now() - start),
    });
    let outcome: unknown;
    void watch.wait(pending<string>().promise).then((value) => {
      outcome = value;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(idleAt).toEqual([300, 600, 900]);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toBe(IDLE_TIMEOUT);
    watch.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("counts quiet from the start of each wait and keeps one timer across many chunks", async () => {
    let idle = 0;
    const watch = new IdleWatch({
      ackIntervalMs: 50,
      timeoutMs: 200,
      sendIdle: () => idle++,
    });
    for (let chunk = 0; chunk < 100; chunk++) {
      const next = pending<number>();
      const waited = watch.wait(next.promise);
      await vi.advanceTimersByTimeAsync(40);
      next.resolve(chunk);
      expect(await waited).toBe(chunk);
      expect(vi.getTimerCount()).toBe(1);
    }
    // 4 s went by in waits of 40 ms each: never an interval of quiet.
    expect(idle).toBe(0);

    const last = watch.wait(pending<number>().promise);
    await vi.advanceTimersByTimeAsync(200);
    expect(await last).toBe(IDLE_TIMEOUT);
    expect(idle).toBe(3);
    watch.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("passes a body read through untouched when neither acks nor a timeout are configured", async () => {
    const watch = new IdleWatch({ ackIntervalMs: 0, timeoutMs: 0, sendIdle: () => {} });
    const read = Promise.reject(new Error("reset"));
    await expect(watch.wait(read)).rejects.toThrow("reset");
    expect(vi.getTimerCount()).toBe(0);
  });
});
