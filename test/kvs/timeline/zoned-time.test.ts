// Calendar buckets in IANA zones across daylight-saving changes and odd offsets, checked against
// instants written out by hand (not computed by the code under test).

import { describe, expect, it } from "vitest";
import { coverageBuckets } from "../../../src/kvs/timeline/coverage.ts";
import { bucketStart, isTimeZone, nextBucketStart } from "../../../src/kvs/timeline/zoned-time.ts";

const at = (iso: string) => Date.parse(iso);

describe("days in America/New_York", () => {
  it("are 23 hours on the spring change and 25 on the autumn one", () => {
    // 2026-03-08: clocks go from 02:00 EST to 03:00 EDT. 2026-11-01: from 02:00 EDT to 01:00 EST.
    expect(bucketStart(at("2026-03-08T12:00:00Z"), "DAY", "America/New_York")).toBe(
      at("2026-03-08T05:00:00Z"),
    );
    expect(nextBucketStart(at("2026-03-08T05:00:00Z"), "DAY", "America/New_York")).toBe(
      at("2026-03-09T04:00:00Z"),
    );
    expect(nextBucketStart(at("2026-11-01T04:00:00Z"), "DAY", "America/New_York")).toBe(
      at("2026-11-02T05:00:00Z"),
    );
  });

  it("hours step over the skipped hour and through the repeated one", () => {
    const hours = coverageBuckets(
      at("2026-11-01T04:00:00Z"),
      at("2026-11-01T08:59:59.999Z"),
      "HOUR",
      "America/New_York",
      100,
    );
    // 00:00 EDT, 01:00 EDT, 01:00 EST, 02:00 EST, 03:00 EST: five hours of an hour each.
    expect(hours?.map((hour) => new Date(hour.startMs).toISOString())).toEqual([
      "2026-11-01T04:00:00.000Z",
      "2026-11-01T05:00:00.000Z",
      "2026-11-01T06:00:00.000Z",
      "2026-11-01T07:00:00.000Z",
      "2026-11-01T08:00:00.000Z",
    ]);
  });
});

describe("zones with partial-hour offsets", () => {
  it("start hours at :45 in Kathmandu (UTC+5:45) and days at 18:30 UTC in Kolkata", () => {
    expect(bucketStart(at("2026-06-01T10:50:00Z"), "HOUR", "Asia/Kathmandu")).toBe(
      at("2026-06-01T10:15:00Z"),
    );
    expect(bucketStart(at("2026-06-01T10:00:00Z"), "DAY", "Asia/Kolkata")).toBe(
      at("2026-05-31T18:30:00Z"),
    );
  });
});

describe("bounds", () => {
  it("refuses unknown zones and ranges with too many buckets", () => {
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(
      coverageBuckets(
        at("2026-01-01T00:00:00Z"),
        at("2026-01-02T00:00:00Z"),
        "MINUTE",
        "UTC",
        1000,
      ),
    ).toBeUndefined();
  });
});
