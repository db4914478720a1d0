// The short soak (test/support/soak.ts), ~30 s: subscribers, queries and clip downloads while
// kvs-local injects faults and ends GetMedia sessions. `npm run soak` runs the long one.

import { describe, expect, it } from "vitest";
import { runSoak } from "../support/soak.ts";

describe("short soak", () => {
  it("delivers every fragment once and in order, answers no 5xx and returns its memory", async () => {
    const report = await runSoak({
      durationMs: 22_000,
      wsSubscribers: 30,
      sseSubscribers: 6,
      queriesPerSecond: 8,
      clipEveryMs: 2500,
      faultEveryMs: 1200,
      getMediaSessionSeconds: 6,
    });
    expect(report.problems).toEqual([]);
    expect(report.persisted).toBeGreaterThanOrEqual(15);
    expect(report.faults).toBeGreaterThanOrEqual(13);
    expect(report.clips).toBeGreaterThanOrEqual(4);
    expect(report.queries).toBeGreaterThanOrEqual(100);
  }, 90_000);
});
