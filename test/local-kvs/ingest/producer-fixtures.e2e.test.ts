import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalKvs } from "../../../src/local-kvs/index.ts";
import { listFragments, readEarliest, startLocalKvs } from "../../support/kvs-local.ts";
import { carriesCluster, clustersOf, fragmentNumberOf, kvsTags } from "../../support/mkv.ts";
import { ingestFixture } from "../../support/seed.ts";

describe("ingesting producer-SDK and ffmpeg MKVs", () => {
  let kvs: LocalKvs;

  beforeAll(async () => {
    kvs = await startLocalKvs(["sdk-stream", "vogels"], { dataRetentionInHours: 1 });
  });
  afterAll(async () => {
    await kvs?.stop();
  });

  it("test-stream-1_0.mkv (unknown sizes, ABSOLUTE timecodes): 37 fragments, clusters byte for byte", async () => {
    const { file, acks, numbers } = await ingestFixture(
      kvs.endpoint,
      "sdk-stream",
      "test-stream-1_0.mkv",
      { timecodeType: "ABSOLUTE" },
    );
    expect(acks.filter((a) => a.EventType === "ERROR")).toEqual([]);
    expect(numbers).toHaveLength(37);
    const clusters = clustersOf(file);
    expect(clusters).toHaveLength(37);

    // ABSOLUTE: the producer timestamp is the cluster timecode itself (ms here).
    const fragments = await listFragments(kvs.endpoint, "sdk-stream", {
      MaxResults: 1000,
      FragmentSelector: {
        FragmentSelectorType: "PRODUCER_TIMESTAMP",
        TimestampRange: {
          StartTimestamp: new Date(1703120790149),
          EndTimestamp: new Date(1703120790149 + 3_600_000),
        },
      },
    });
    const producer = fragments.map((f) => f.ProducerTimestamp?.getTime() ?? 0).sort();
    expect(producer).toHaveLength(37);
    expect(producer[0]).toBe(1703120790149);

    const docs = await readEarliest(kvs.endpoint, "sdk-stream", 37);
    expect(docs).toHaveLength(37);
    docs.forEach((doc, i) => {
      expect(carriesCluster(doc, clusters[i])).toBe(true);
      expect(fragmentNumberOf(doc)).toBe(numbers[i]);
    });
    expect(kvsTags(docs[0] as (typeof docs)[0]).get("AWS_KINESISVIDEO_PRODUCER_TIMESTAMP")).toBe(
      "1703120790.149",
    );
  });

  it("vogels_480.mkv (H.264 + AAC, ffmpeg): 9 fragments, clusters byte for byte", async () => {
    const { file, numbers } = await ingestFixture(kvs.endpoint, "vogels", "vogels_480.mkv", {
      timecodeType: "RELATIVE",
      producerStartTimestampMs: 1_600_000_000_000,
    });
    expect(numbers).toHaveLength(9);
    const clusters = clustersOf(file);
    const docs = await readEarliest(kvs.endpoint, "vogels", 9);
    expect(docs.map((d) => Buffer.from(d.cluster ?? []).toString("hex"))).toEqual(
      clusters.map((c) => Buffer.from(c).toString("hex")),
    );
    // Last cluster timecode 28821 ms (expected.json).
    expect(kvsTags(docs[8] as (typeof docs)[0]).get("AWS_KINESISVIDEO_PRODUCER_TIMESTAMP")).toBe(
      "1600000028.821",
    );
  });
});
