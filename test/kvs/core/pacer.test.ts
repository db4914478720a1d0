import { describe, expect, it } from "vitest";
import { Pacer, sleep } from "../../../src/kvs/core/pacer.ts";
import { backoffDelay } from "../../../src/kvs/getmedia/retry.ts";

describe("Pacer", () => {
  it("lets 5 calls per second and stream through and spaces the rest", () => {
    let now = 10_000;
    const limiter = new Pacer({ calls: 5, windowMs: 1000 }, () => now);
    const delays = Array.from({ length: 7 }, () => limiter.reserve("name:a"));
    expect(delays).toEqual([0, 0, 0, 0, 0, 1000, 1000]);
    // Another stream has its own budget.
    expect(limiter.reserve("name:b")).toBe(0);
    now += 1500;
    // Calls 6 and 7 start at 11 000, so [11 000, 12 000) has room for three more at 11 500.
    expect(limiter.reserve("name:a")).toBe(0);
    expect(limiter.reserve("name:a")).toBe(0);
    expect(limiter.reserve("name:a")).toBe(0);
    expect(limiter.reserve("name:a")).toBe(500);
  });

  it("never allows more than `calls` starts in any window", () => {
    let now = 0;
    const limiter = new Pacer({ calls: 5, windowMs: 1000 }, () => now);
    const starts: number[] = [];
    for (let i = 0; i < 40; i++) {
      now += Math.floor(i % 3 === 0 ? 0 : 70);
      starts.push(now + limiter.reserve("k"));
    }
    starts.sort((a, b) => a - b);
    const gaps = starts.slice(5).map((start, i) => start - (starts[i] ?? Number.NaN));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
  });

  it("sleep rejects with the abort reason", async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort(new Error("stop"));
    await expect(pending).rejects.toThrow("stop");
  });
});

describe("backoffDelay", () => {
  it("doubles from the base, stays within [ceiling/2, ceiling] and is capped", () => {
    expect(backoffDelay(1, 250, 20_000, () => 0)).toBe(125);
    expect(backoffDelay(1, 250, 20_000, () => 1)).toBe(250);
    expect(backoffDelay(3, 250, 20_000, () => 1)).toBe(1000);
    expect(backoffDelay(3, 250, 20_000, () => 0.5)).toBe(750);
    expect(backoffDelay(20, 250, 20_000, () => 1)).toBe(20_000);
    expect(backoffDelay(20, 250, 20_000, () => 0)).toBe(10_000);
  });
});
