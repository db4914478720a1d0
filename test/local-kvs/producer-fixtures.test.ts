import { CreateStreamCommand } from "@aws-sdk/client-kinesis-video";
import { ListFragmentsCommand } from "@aws-sdk/client-kinesis-video-archived-media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalKvs, type LocalKvs } from "../../src/local-kvs/index.ts";
import {
  archivedMedia,
  clustersOf,
  controlPlane,
  fixture,
  ingest,
  kvsTags,
  mediaClient,
  persistedNumbers,
  readGetMedia,
  splitGetMedia,
} from "./helpers.ts";

describe("ingesting producer-SDK and ffmpeg MKVs", () => {
  let kvs: LocalKvs;

  beforeAll(async () => {
    kvs = await createLocalKvs({ inMemory: true });
    const cp = controlPlane(kvs.endpoint);
    for (const name of ["sdk-stream", "vogels"]) {
      await cp.send(new CreateStreamCommand({ StreamName: name, DataRetentionInHours: 1 }));
    }
    cp.destroy();
  });
  afterAll(async () => {
    await kvs?.stop();
  });

  it("test-stream-1_0.mkv (unknown sizes, ABSOLUTE timecodes): 37 fragments, clusters byte for byte", async () => {
    const file = fixture("test-stream-1_0.mkv");
    const acks = await ingest(kvs.endpoint, "sdk-stream", file, { timecodeType: "ABSOLUTE" });
    const numbers = persistedNumbers(acks);
    expect(acks.filter((a) => a.EventType === "ERROR")).toEqual([]);
    expect(numbers).toHaveLength(37);
    const clusters = clustersOf(file);
    expect(clusters).toHaveLength(37);

    // ABSOLUTE: the producer timestamp is the cluster timecode itself (ms here).
    const list = await archivedMedia(kvs.endpoint, "sdk-stream");
    const out = await list.send(
      new ListFragmentsCommand({
        StreamName: "sdk-stream",
        MaxResults: 1000,
        FragmentSelector: {
          FragmentSelectorType: "PRODUCER_TIMESTAMP",
          TimestampRange: {
            StartTimestamp: new Date(1703120790149),
            EndTimestamp: new Date(1703120790149 + 3_600_000),
          },
        },
      }),
    );
    list.destroy();
    const producer = (out.Fragments ?? []).map((f) => f.ProducerTimestamp?.getTime() ?? 0).sort();
    expect(producer).toHaveLength(37);
    expect(producer[0]).toBe(1703120790149);

    const media = await mediaClient(kvs.endpoint, "sdk-stream");
    const body = await readGetMedia(
      media,
      { StreamName: "sdk-stream", StartSelector: { StartSelectorType: "EARLIEST" } },
      37,
    );
    media.destroy();
    const docs = splitGetMedia(body);
    expect(docs).toHaveLength(37);
    docs.forEach((doc, i) => {
      expect(Buffer.from(doc.cluster ?? []).equals(Buffer.from(clusters[i] as Uint8Array))).toBe(
        true,
      );
      expect(kvsTags(doc).get("AWS_KINESISVIDEO_FRAGMENT_NUMBER")).toBe(numbers[i]);
    });
    expect(kvsTags(docs[0] as (typeof docs)[0]).get("AWS_KINESISVIDEO_PRODUCER_TIMESTAMP")).toBe(
      "1703120790.149",
    );
  });

  it("vogels_480.mkv (H.264 + AAC, ffmpeg): 9 fragments, clusters byte for byte", async () => {
    const file = fixture("vogels_480.mkv");
    const acks = await ingest(kvs.endpoint, "vogels", file, {
      timecodeType: "RELATIVE",
      producerStartTimestampMs: 1_600_000_000_000,
    });
    const numbers = persistedNumbers(acks);
    expect(numbers).toHaveLength(9);
    const clusters = clustersOf(file);
    const media = await mediaClient(kvs.endpoint, "vogels");
    const body = await readGetMedia(
      media,
      { StreamName: "vogels", StartSelector: { StartSelectorType: "EARLIEST" } },
      9,
    );
    media.destroy();
    const docs = splitGetMedia(body);
    expect(docs.map((d) => Buffer.from(d.cluster ?? []).toString("hex"))).toEqual(
      clusters.map((c) => Buffer.from(c).toString("hex")),
    );
    // Last cluster timecode 28821 ms (expected.json).
    expect(kvsTags(docs[8] as (typeof docs)[0]).get("AWS_KINESISVIDEO_PRODUCER_TIMESTAMP")).toBe(
      "1600000028.821",
    );
  });
});
