// The PutMedia data-rate floor: a trickle fails at the end of its window; steady media, and media
// with a pause shorter than the idle timeout inside a window, pass.
import { describe, expect, it } from "vitest";
import { MinimumRate } from "../../../src/local-kvs/ingest/minimum-rate.ts";

const floor = { bytesPerSecond: 256, windowMs: 60_000 };

describe("MinimumRate", () => {
  it("fails a body that sends a byte every 29 s once a window has passed", () => {
    const rate = new MinimumRate(floor, 0);
    expect(rate.record(1, 29_000)).toBe(true);
    expect(rate.record(1, 58_000)).toBe(true);
    expect(rate.record(1, 87_000)).toBe(false);
  });

  it("passes low-rate audio (1 KB/s) with a 25 s pause in each window", () => {
    const rate = new MinimumRate(floor, 0);
    for (let window = 0; window < 5; window++) {
      const start = window * 60_000;
      // 35 s of 1 KB a second, then quiet until the window's end.
      for (let s = 1; s <= 35; s++) expect(rate.record(1000, start + s * 1000)).toBe(true);
    }
    // The first chunk after the last pause closes a window with 35 KB in it: above 15 KB.
    expect(rate.record(1000, 300_001)).toBe(true);
  });

  it("does nothing with a floor of 0", () => {
    const rate = new MinimumRate({ bytesPerSecond: 0, windowMs: 60_000 }, 0);
    expect(rate.record(0, 10 * 60_000)).toBe(true);
  });
});
