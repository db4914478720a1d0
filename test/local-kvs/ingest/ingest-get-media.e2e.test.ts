import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalKvs } from "../../../src/local-kvs/index.ts";
import { listFragments, readEarliest, startLocalKvs } from "../../support/kvs-local.ts";
import { carriesCluster, clustersOf, kvsTags } from "../../support/mkv.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { type IngestedFixture, ingestFixture } from "../../support/seed.ts";

const run = promisify(execFile);

const FRAGMENT_NUMBER = "AWS_KINESISVIDEO_FRAGMENT_NUMBER";
const SERVER_TIMESTAMP = "AWS_KINESISVIDEO_SERVER_TIMESTAMP";
const PRODUCER_TIMESTAMP = "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP";
const MILLIS_BEHIND_NOW = "AWS_KINESISVIDEO_MILLIS_BEHIND_NOW";
const CONTINUATION_TOKEN = "AWS_KINESISVIDEO_CONTINUATION_TOKEN";

/** clusters.mkv cluster timecodes (ms), from expected.json. */
const CLUSTER_TIMECODES = [0, 1999, 3999, 5998, 7998, 9998, 11997, 13997];

describe("PutMedia ingest and GetMedia (clusters.mkv)", () => {
  let kvs: LocalKvs;
  const producerStart = 1_700_000_000_123;
  let clustersMkv: Uint8Array;
  let acks: IngestedFixture["acks"];
  let numbers: string[];

  beforeAll(async () => {
    kvs = await startLocalKvs(["cam-1"], { dataRetentionInHours: 24 });
    const ingested = await ingestFixture(kvs.endpoint, "cam-1", "clusters.mkv", {
      timecodeType: "RELATIVE",
      producerStartTimestampMs: producerStart,
    });
    ({ file: clustersMkv, acks, numbers } = ingested);
  });
  afterAll(async () => {
    await kvs?.stop();
  });

  it("acknowledges 8 fragments: BUFFERING, RECEIVED, then PERSISTED with increasing 47-digit numbers", () => {
    expect(numbers).toHaveLength(8);
    for (const n of numbers) expect(n).toMatch(/^\d{47}$/);
    expect([...numbers].sort()).toEqual(numbers);
    expect(new Set(numbers).size).toBe(8);
    expect(acks.filter((a) => a.EventType === "ERROR")).toEqual([]);
    const persistedTimecodes = acks
      .filter((a) => a.EventType === "PERSISTED")
      .map((a) => a.FragmentTimecode);
    expect(persistedTimecodes).toEqual(CLUSTER_TIMECODES);
    // Per fragment, BUFFERING and RECEIVED come before PERSISTED.
    const firstKinds = acks.slice(0, 3).map((a) => a.EventType);
    expect(firstKinds).toEqual(["BUFFERING", "RECEIVED", "PERSISTED"]);
  });

  it("lists the 8 fragments through the LIST_FRAGMENTS endpoint with producer timestamps from the timecodes", async () => {
    const fragments = await listFragments(kvs.endpoint, "cam-1", {
      FragmentSelector: {
        FragmentSelectorType: "PRODUCER_TIMESTAMP",
        TimestampRange: {
          StartTimestamp: new Date(producerStart),
          EndTimestamp: new Date(producerStart + 60_000),
        },
      },
    });
    expect(fragments.map((f) => f.FragmentNumber)).toEqual(numbers);
    expect(fragments.map((f) => f.ProducerTimestamp?.getTime())).toEqual(
      CLUSTER_TIMECODES.map((t) => producerStart + t),
    );
    const clusters = clustersOf(clustersMkv);
    expect(fragments.map((f) => f.FragmentSizeInBytes)).toEqual(clusters.map((c) => c.length));
    for (const f of fragments) {
      expect(f.FragmentLengthInMilliseconds).toBeGreaterThan(1000);
      expect(f.FragmentLengthInMilliseconds).toBeLessThan(2100);
    }
  });

  it("GetMedia EARLIEST returns the 8 Clusters byte for byte with all five tags per fragment", async () => {
    const docs = await readEarliest(kvs.endpoint, "cam-1", 8);
    expect(docs).toHaveLength(8);
    const clusters = clustersOf(clustersMkv);
    docs.forEach((doc, i) => {
      expect(carriesCluster(doc, clusters[i])).toBe(true);
      // Segment size: the 8-byte "unknown" VINT.
      expect([...doc.segmentSizeBytes]).toEqual([1, 255, 255, 255, 255, 255, 255, 255]);
      expect(doc.tagGroups.at(-1)?.map(([n]) => n)).toEqual([
        MILLIS_BEHIND_NOW,
        CONTINUATION_TOKEN,
      ]);
      expect(doc.tagSizeWidths.every((w) => w === 4)).toBe(true);
      const tags = kvsTags(doc);
      expect([...tags.keys()].sort()).toEqual(
        [
          FRAGMENT_NUMBER,
          SERVER_TIMESTAMP,
          PRODUCER_TIMESTAMP,
          MILLIS_BEHIND_NOW,
          CONTINUATION_TOKEN,
        ].sort(),
      );
      expect(tags.get(FRAGMENT_NUMBER)).toBe(numbers[i]);
      expect(tags.get(CONTINUATION_TOKEN)).toBe(numbers[i]);
      expect(tags.get(PRODUCER_TIMESTAMP)).toBe(
        ((producerStart + (CLUSTER_TIMECODES[i] as number)) / 1000).toFixed(3),
      );
      expect(tags.get(SERVER_TIMESTAMP)).toMatch(/^\d{10}\.\d{3}$/);
      expect(Number(tags.get(MILLIS_BEHIND_NOW))).toBeGreaterThanOrEqual(0);
    });
  });

  it("every GetMedia document passes mkvinfo", async () => {
    const docs = await readEarliest(kvs.endpoint, "cam-1", 8);
    const dir = await scratchDirectory("kvs-mkvinfo-");
    try {
      for (const [i, doc] of docs.entries()) {
        const file = path.join(dir, `doc-${i}.mkv`);
        await writeFile(file, doc.bytes);
        const { stdout } = await run("mkvinfo", ["-v", file], { maxBuffer: 64 * 1024 * 1024 });
        expect(stdout).toContain("AWS_KINESISVIDEO_CONTINUATION_TOKEN");
        expect(stdout).toContain(numbers[i] as string);
        expect(stdout).toMatch(/Cluster/);
        expect(stdout).not.toMatch(/Error:/);
      }
    } finally {
      await removeScratchDirectory(dir);
    }
  });
});
