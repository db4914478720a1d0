import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ClipGovernor } from "../../../src/kvs/clips/governor.ts";
import { ClientLimitExceededError } from "../../../src/kvs/core/errors.ts";

/** What the SDK throws for KVS's throttling answer, before the gateway maps it. */
class Throttled extends Error {
  override readonly name = "ClientLimitExceededException";
}

/** Records when each call starts, relative to the test's start. */
function recorder() {
  const t0 = Date.now();
  const starts: Array<[string, number]> = [];
  const call =
    (label: string, outcome: () => Promise<string> = async () => label) =>
    () => {
      starts.push([label, Date.now() - t0]);
      return outcome();
    };
  return { starts, call };
}

describe("ClipGovernor", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse("2025-01-01T00:00:00Z") });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("spaces the calls of one stream to the rate, in FIFO order, and leaves other streams alone", async () => {
    const governor = new ClipGovernor({ ratePerSecond: 1 });
    const { starts, call } = recorder();
    const results = Promise.all([
      governor.run("a", call("a1")),
      governor.run("a", call("a2")),
      governor.run("b", call("b1")),
      governor.run("a", call("a3")),
    ]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(await results).toEqual(["a1", "a2", "b1", "a3"]);
    expect(starts).toEqual([
      ["a1", 0],
      ["b1", 0],
      ["a2", 1000],
      ["a3", 2000],
    ]);
  });

  it("starts a call with nothing pending on its stream at once: no timer, no turn of the event loop", async () => {
    const governor = new ClipGovernor({ ratePerSecond: 1, marginMs: 50 });
    let started = 0;
    const flushMicrotasks = async () => {
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };
    void governor.run("a", async () => started++);
    await flushMicrotasks();
    expect(started).toBe(1);
    // Once the stream's interval has passed, the next call is again a first call.
    vi.advanceTimersByTime(1050);
    void governor.run("a", async () => started++);
    await flushMicrotasks();
    expect(started).toBe(2);
  });

  it("honours a configured rate and margin", async () => {
    const governor = new ClipGovernor({ ratePerSecond: 4, marginMs: 10 });
    const { starts, call } = recorder();
    const runs = [1, 2, 3].map((n) => governor.run("a", call(`a${n}`)));
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(runs);
    expect(starts.map(([, at]) => at)).toEqual([0, 260, 520]);
  });

  it("answers ClientLimitExceeded at once past the queue bound, without calling upstream", async () => {
    const governor = new ClipGovernor({ maxQueuePerStream: 2 });
    const { starts, call } = recorder();
    const accepted = [1, 2, 3].map((n) => governor.run("a", call(`a${n}`)));
    expect(governor.queued("a")).toBe(2);
    await expect(governor.run("a", call("a4"))).rejects.toBeInstanceOf(ClientLimitExceededError);
    await expect(governor.run("a", call("a5"))).rejects.toMatchObject({
      code: "ClientLimitExceededException",
    });
    await vi.advanceTimersByTimeAsync(3000);
    expect(await Promise.all(accepted)).toEqual(["a1", "a2", "a3"]);
    expect(starts.map(([label]) => label)).toEqual(["a1", "a2", "a3"]);
  });

  it("retries a call KVS throttled at the head of the queue, after a delay", async () => {
    const governor = new ClipGovernor({ throttleRetryDelayMs: 1500 });
    const { starts, call } = recorder();
    let throttles = 1;
    const first = governor.run(
      "a",
      call("a1", async () => {
        if (throttles-- > 0) throw new Throttled("Rate exceeded");
        return "a1";
      }),
    );
    const second = governor.run("a", call("a2"));
    await vi.advanceTimersByTimeAsync(5000);
    expect(await first).toBe("a1");
    expect(await second).toBe("a2");
    expect(starts).toEqual([
      ["a1", 0],
      ["a1", 1500],
      ["a2", 2500],
    ]);
  });

  it("returns KVS's throttling error once the retries are used up, with growing delays", async () => {
    const governor = new ClipGovernor({ throttleRetries: 2, throttleRetryDelayMs: 1000 });
    const { starts, call } = recorder();
    const run = governor.run(
      "a",
      call("a1", async () => {
        throw new Throttled("Rate exceeded");
      }),
    );
    const settled = run.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await settled).toBeInstanceOf(Throttled);
    expect(starts.map(([, at]) => at)).toEqual([0, 1000, 3000]);
  });

  it("does not retry other errors", async () => {
    const governor = new ClipGovernor();
    const { starts, call } = recorder();
    const run = governor.run(
      "a",
      call("a1", async () => {
        throw new Error("ResourceNotFound");
      }),
    );
    await expect(run).rejects.toThrow("ResourceNotFound");
    expect(starts).toHaveLength(1);
  });

  it("drops a waiter whose caller went away, without delaying the rest", async () => {
    const governor = new ClipGovernor();
    const { starts, call } = recorder();
    const first = governor.run("a", call("a1"));
    const abandon = new AbortController();
    const gone = governor.run("a", call("gone"), abandon.signal).catch((error: unknown) => error);
    const third = governor.run("a", call("a3"));
    abandon.abort(new Error("client disconnected"));
    expect(await gone).toMatchObject({ message: "client disconnected" });
    expect(governor.queued("a")).toBe(1);
    await vi.advanceTimersByTimeAsync(2000);
    await Promise.all([first, third]);
    expect(starts).toEqual([
      ["a1", 0],
      ["a3", 1000],
    ]);
  });

  it("forgets idle streams", async () => {
    const governor = new ClipGovernor();
    await governor.run("a", async () => "x");
    await governor.run("b", async () => "x");
    expect(governor.trackedStreams).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(governor.trackedStreams).toBe(0);
  });
});
