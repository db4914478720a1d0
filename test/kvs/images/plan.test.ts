// The sampling grid behind Stream.images: kept points are exactly start, start + interval, … up to
// the end; the grid starts at least the start offset earlier; every window is one GetImages page
// (at most 25 points, at most 300 s) and each point lies in exactly one window.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  IMAGES_MAX_RANGE_MS,
  IMAGES_PAGE_SIZE,
  planImages,
  pointsPerWindow,
  pointTimestampMs,
  windowOf,
  windowRange,
  windowsSpanned,
} from "../../../src/kvs/images/plan.ts";

const ARN = "arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam/1";

describe("planImages", () => {
  it("keeps the asked points and cuts the grid into GetImages-sized windows", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.integer({ min: 200, max: 400_000 }),
        fc.integer({ min: 0, max: 20_000 }),
        (startMs, lengthMs, intervalMs, offsetMs) => {
          const plan = planImages(
            ARN,
            "SERVER_TIMESTAMP",
            { startMs, endMs: startMs + lengthMs, samplingIntervalMs: intervalMs, format: "JPEG" },
            offsetMs,
          );
          expect(plan.grid.originMs).toBeLessThanOrEqual(startMs - offsetMs);
          expect(pointTimestampMs(plan.grid, plan.first)).toBe(startMs);
          expect(pointTimestampMs(plan.grid, plan.last)).toBeLessThanOrEqual(startMs + lengthMs);
          expect(pointTimestampMs(plan.grid, plan.last + 1)).toBeGreaterThan(startMs + lengthMs);
          const perWindow = pointsPerWindow(intervalMs);
          expect(perWindow).toBeLessThanOrEqual(IMAGES_PAGE_SIZE);
          for (const point of [plan.first, plan.last]) {
            const range = windowRange(windowOf(plan.grid, point));
            expect(range.endMs - range.startMs).toBeLessThanOrEqual(IMAGES_MAX_RANGE_MS);
            const at = pointTimestampMs(plan.grid, point);
            expect(at).toBeGreaterThanOrEqual(range.startMs);
            expect(at).toBeLessThanOrEqual(range.endMs);
            expect((at - range.startMs) % intervalMs).toBe(0);
          }
          expect(windowsSpanned(plan.grid, plan.first, plan.last)).toBe(
            Math.floor(plan.last / perWindow) - Math.floor(plan.first / perWindow) + 1,
          );
        },
      ),
    );
  });

  it.each([
    [{ samplingIntervalMs: 199 }, /samplingIntervalMs/],
    [{ width: 10 }, /width and height/],
    [{ height: 10 }, /width and height/],
    [{ width: 0, height: 10 }, /width/],
    [{ width: 10, height: 2161 }, /height/],
    [{ quality: 101 }, /quality/],
    [{ endMs: 999 }, /range/],
  ])("refuses %o", (change, message) => {
    expect(() =>
      planImages(
        ARN,
        "PRODUCER_TIMESTAMP",
        { startMs: 1000, endMs: 5000, samplingIntervalMs: 1000, format: "JPEG", ...change },
        2000,
      ),
    ).toThrow(message);
  });
});
