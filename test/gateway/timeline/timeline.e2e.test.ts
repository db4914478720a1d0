// The recording timeline against kvs-local, with footage ingested at chosen producer timestamps
// and deliberate gaps: recordings and gaps as made, across pages; coverage sums matching the
// fragments; a New York day boundary where it falls; and the caches keeping repeated queries off
// KVS (DescribeStream once per TTL, ListFragments once per settled window).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeHttp } from "../../support/graphql.ts";
import { createStreams } from "../../support/kvs-local.ts";
import { makeTestVideo } from "../../support/media.ts";
import { metricValue, scrapeMetrics } from "../../support/metrics.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { ingestAt } from "../../support/seed.ts";
import { LOAD_TEST_SECURITY, type Stack, startStack } from "../../support/stack.ts";
import { CoverageQuery, RecordingsQuery, TimelineFragmentsQuery } from "./documents.ts";

const STREAM = "timeline-cam";
// Midnight in New York on 2026-01-16 (EST, UTC-5) is 05:00 UTC.
const NY_MIDNIGHT = Date.parse("2026-01-16T05:00:00Z");
// Three recordings of six 1-second fragments: the first straddles New York's midnight, then a
// 14 s gap, then a 34 s gap.
const SEGMENTS = [NY_MIDNIGHT - 3_000, NY_MIDNIGHT + 20_000, NY_MIDNIGHT + 60_000];
const FRAGMENTS_PER_SEGMENT = 6;
const RANGE = {
  start: new Date(NY_MIDNIGHT - 60_000).toISOString(),
  end: new Date(NY_MIDNIGHT + 120_000).toISOString(),
};
const STREAM_TTL_MS = 2_000;

let directory: string;
let stack: Stack;

beforeAll(async () => {
  directory = await scratchDirectory("timeline-");
  const video = await makeTestVideo(directory, { seconds: FRAGMENTS_PER_SEGMENT, fps: 5 });
  stack = await startStack({
    gateway: {
      streamCache: { ttlMs: STREAM_TTL_MS, max: 100 },
      fragmentWindows: { windowMs: 3_600_000, maxWindows: 100, maxBytes: 1024 * 1024 },
      metrics: { onGatewayPort: true },
      // One test client asks 1,000 queries within the minute.
      security: LOAD_TEST_SECURITY,
    },
  });
  await createStreams(stack.kvs.endpoint, [STREAM]);
  for (const start of SEGMENTS) await ingestAt(stack.kvs.endpoint, STREAM, video.bytes, start);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await removeScratchDirectory(directory);
});

async function recordingsPage(variables: { first?: number; after?: string; maxGapMs?: number }) {
  const response = await executeHttp(stack.graphqlUrl, RecordingsQuery, {
    name: STREAM,
    range: RANGE,
    ...variables,
  });
  expect(response.errors).toBeUndefined();
  const stream = response.data?.stream;
  if (stream?.__typename !== "Stream") throw new Error(`no stream: ${JSON.stringify(response)}`);
  const recordings = stream.recordings;
  if (recordings?.__typename !== "RecordingConnection")
    throw new Error(`no recordings: ${JSON.stringify(recordings)}`);
  return recordings;
}

async function allFragments() {
  const response = await executeHttp(stack.graphqlUrl, TimelineFragmentsQuery, {
    name: STREAM,
    range: RANGE,
  });
  const stream = response.data?.stream;
  if (stream?.__typename !== "Stream" || stream.fragments?.__typename !== "FragmentConnection")
    throw new Error(`no fragments: ${JSON.stringify(response)}`);
  return stream.fragments.edges.map((edge) => edge.node);
}

describe("caches", () => {
  it("serve 1,000 queries with one DescribeStream per TTL and one ListFragments per settled window", async () => {
    const before = stack.kvs.stats.snapshot();
    const metricsBefore = await scrapeMetrics(stack.url);
    const started = Date.now();
    const queries = [];
    for (let batch = 0; batch < 10; batch++) {
      queries.push(
        ...Array.from({ length: 100 }, (_, index) =>
          index % 2 === 0 ? allFragments() : recordingsPage({}),
        ),
      );
      await Promise.all(queries.splice(0));
    }
    const elapsed = Date.now() - started;
    const after = stack.kvs.stats.snapshot();
    const delta = (operation: string) => (after[operation] ?? 0) - (before[operation] ?? 0);
    // The range lies in two windows of an hour (04:00 and 05:00 UTC), both long settled and each
    // under 1000 fragments: one ListFragments each, however many queries read them.
    expect(delta("ListFragments")).toBe(2);
    expect(delta("DescribeStream")).toBeLessThanOrEqual(Math.ceil(elapsed / STREAM_TTL_MS) + 1);
    expect(delta("DescribeStream")).toBeGreaterThanOrEqual(1);

    // The same story in /metrics: lookups by outcome, and what the caches hold.
    const metrics = await scrapeMetrics(stack.url);
    const lookups = (cache: string, outcome: string) => {
      const series = `kvs_gateway_cache_lookups_total{cache="${cache}",outcome="${outcome}"}`;
      return metricValue(metrics, series) - metricValue(metricsBefore, series);
    };
    expect(lookups("stream", "miss")).toBe(delta("DescribeStream"));
    expect(lookups("stream", "hit") + lookups("stream", "shared")).toBe(
      1000 - delta("DescribeStream"),
    );
    expect(lookups("fragments", "miss")).toBe(2);
    expect(metricValue(metrics, 'kvs_gateway_cache_entries{cache="fragments"}')).toBe(2);
    expect(metricValue(metrics, 'kvs_gateway_cache_bytes{cache="fragments"}')).toBeGreaterThan(0);
  });
});

describe("Stream.recordings", () => {
  it("returns the recordings and gaps that were made, in order", async () => {
    const fragments = await allFragments();
    expect(fragments).toHaveLength(SEGMENTS.length * FRAGMENTS_PER_SEGMENT);
    const page = await recordingsPage({});
    expect(page.pageInfo.hasNextPage).toBe(false);
    const recordings = page.edges.map((edge) => edge.node);
    expect(recordings.map((r) => r.fragmentCount)).toEqual([6, 6, 6]);
    expect(recordings.map((r) => Date.parse(r.start))).toEqual(SEGMENTS);
    // Each recording ends where its last fragment ends.
    for (const [index, recording] of recordings.entries()) {
      const own = fragments.slice(index * 6, index * 6 + 6);
      const last = own.at(-1);
      if (!last) throw new Error("missing fragments");
      expect(Date.parse(recording.end)).toBe(Date.parse(last.producerTimestamp) + last.durationMs);
      expect(recording.sizeBytes).toBe(own.reduce((sum, f) => sum + f.sizeBytes, 0));
    }
    expect(recordings[0]?.gapBefore).toBeNull();
    expect(recordings.slice(1).map((r) => r.gapBefore)).toEqual([
      {
        start: recordings[0]?.end,
        end: recordings[1]?.start,
        durationMs: Date.parse(recordings[1]?.start ?? "") - Date.parse(recordings[0]?.end ?? ""),
      },
      {
        start: recordings[1]?.end,
        end: recordings[2]?.start,
        durationMs: Date.parse(recordings[2]?.start ?? "") - Date.parse(recordings[1]?.end ?? ""),
      },
    ]);
  });

  it("pages one recording at a time with the same answer", async () => {
    const whole = (await recordingsPage({})).edges.map((edge) => edge.node);
    const paged = [];
    let after: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await recordingsPage({ first: 1, ...(after ? { after } : {}) });
      paged.push(...page.edges.map((edge) => edge.node));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor ?? undefined;
    }
    expect(paged).toEqual(whole);
  });

  it("joins recordings whose gaps are within maxGapMs", async () => {
    const joinFirstTwo = await recordingsPage({ maxGapMs: 20_000 });
    expect(joinFirstTwo.edges.map((edge) => edge.node.fragmentCount)).toEqual([12, 6]);
    const joinAll = await recordingsPage({ maxGapMs: 40_000 });
    expect(joinAll.edges.map((edge) => edge.node.fragmentCount)).toEqual([18]);
  });
});

describe("Stream.coverage", () => {
  const FORTY_HOURS = {
    start: new Date(NY_MIDNIGHT - 20 * 3_600_000).toISOString(),
    end: new Date(NY_MIDNIGHT + 20 * 3_600_000).toISOString(),
  };

  async function coverage(
    bucket: "MINUTE" | "HOUR" | "DAY",
    timeZone: string,
    range: { start: string; end: string } = FORTY_HOURS,
  ) {
    const response = await executeHttp(stack.graphqlUrl, CoverageQuery, {
      name: STREAM,
      range,
      bucket,
      timeZone,
    });
    const stream = response.data?.stream;
    if (stream?.__typename !== "Stream" || stream.coverage?.__typename !== "Coverage")
      throw new Error(`no coverage: ${JSON.stringify(response)}`);
    return stream.coverage.buckets;
  }

  it("sums to the fragments' counts, bytes and durations", async () => {
    const fragments = await allFragments();
    const buckets = await coverage("MINUTE", "UTC", RANGE);
    const sum = (key: "fragmentCount" | "sizeBytes" | "recordedMs") =>
      buckets.reduce((total, bucket) => total + bucket[key], 0);
    expect(sum("fragmentCount")).toBe(fragments.length);
    expect(sum("sizeBytes")).toBe(fragments.reduce((total, f) => total + f.sizeBytes, 0));
    expect(sum("recordedMs")).toBe(fragments.reduce((total, f) => total + f.durationMs, 0));
    // 04:59 to 05:02 inclusive: the last bucket is the single millisecond 05:02:00.000.
    expect(buckets).toHaveLength(4);
    for (const bucket of buckets) expect(bucket.ratio).toBeLessThanOrEqual(1);
  });

  it("puts a day boundary at the time zone's midnight", async () => {
    const days = await coverage("DAY", "America/New_York");
    expect(days.map((day) => day.start)).toEqual([
      new Date(NY_MIDNIGHT - 20 * 3_600_000).toISOString(),
      new Date(NY_MIDNIGHT).toISOString(),
    ]);
    expect(days[0]?.end).toBe(new Date(NY_MIDNIGHT - 1).toISOString());
    // The first recording's three fragments before midnight belong to January 15th.
    expect(days.map((day) => day.fragmentCount)).toEqual([3, 15]);
    expect(days[0]?.recordedMs).toBe(3_000);

    // In UTC the whole recording is on one day (of the three the range touches); in Kolkata
    // (UTC+5:30) hours start at :30 UTC.
    const utc = await coverage("DAY", "UTC");
    expect(utc.map((day) => day.start)).toEqual([
      FORTY_HOURS.start,
      "2026-01-16T00:00:00.000Z",
      "2026-01-17T00:00:00.000Z",
    ]);
    expect(utc.map((day) => day.fragmentCount)).toEqual([0, 18, 0]);
    const kolkata = await coverage("HOUR", "Asia/Kolkata");
    expect(kolkata.filter((hour) => hour.fragmentCount > 0).map((hour) => hour.start)).toEqual([
      "2026-01-16T04:30:00.000Z",
    ]);
  });

  it("refuses an unknown time zone before calling KVS", async () => {
    const before = stack.kvs.stats.count("ListFragments");
    const response = await executeHttp(stack.graphqlUrl, CoverageQuery, {
      name: STREAM,
      range: RANGE,
      bucket: "HOUR",
      timeZone: "Mars/Olympus_Mons",
    });
    const stream = response.data?.stream;
    expect(stream?.__typename === "Stream" && stream.coverage?.__typename).toBe("InvalidArgument");
    expect(stack.kvs.stats.count("ListFragments")).toBe(before);
  });
});
