import { CreateStreamCommand } from "@aws-sdk/client-kinesis-video";
import { ListFragmentsCommand } from "@aws-sdk/client-kinesis-video-archived-media";
import type { KinesisVideoMediaClient } from "@aws-sdk/client-kinesis-video-media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalKvs, type LocalKvs } from "../../src/local-kvs/index.ts";
import {
  archivedMedia,
  controlPlane,
  fixture,
  ingest,
  kvsTags,
  mediaClient,
  openGetMedia,
  persistedNumbers,
  readGetMedia,
  splitGetMedia,
} from "./helpers.ts";

const fragmentNumbersIn = (body: Uint8Array) =>
  splitGetMedia(body, true).map((d) => kvsTags(d).get("AWS_KINESISVIDEO_FRAGMENT_NUMBER"));

describe("GetMedia start selectors and live tail", () => {
  let kvs: LocalKvs;
  let media: KinesisVideoMediaClient;
  let numbers: string[];
  let serverTimestamps: Map<string, number>;
  const producerStart = 1_650_000_000_000;
  const clustersMkv = fixture("clusters.mkv");

  beforeAll(async () => {
    kvs = await createLocalKvs({ inMemory: true, getMediaRatePerSecond: 0 });
    const cp = controlPlane(kvs.endpoint);
    await cp.send(new CreateStreamCommand({ StreamName: "sel", DataRetentionInHours: 2 }));
    await cp.send(new CreateStreamCommand({ StreamName: "live", DataRetentionInHours: 2 }));
    cp.destroy();
    numbers = persistedNumbers(
      await ingest(kvs.endpoint, "sel", clustersMkv, { producerStartTimestampMs: producerStart }),
    );
    const list = await archivedMedia(kvs.endpoint, "sel");
    const out = await list.send(
      new ListFragmentsCommand({
        StreamName: "sel",
        FragmentSelector: {
          FragmentSelectorType: "SERVER_TIMESTAMP",
          TimestampRange: {
            StartTimestamp: new Date(0),
            EndTimestamp: new Date(Date.now() + 60_000),
          },
        },
      }),
    );
    list.destroy();
    serverTimestamps = new Map(
      (out.Fragments ?? []).map((f) => [f.FragmentNumber ?? "", f.ServerTimestamp?.getTime() ?? 0]),
    );
    media = await mediaClient(kvs.endpoint, "sel");
  });
  afterAll(async () => {
    media?.destroy();
    await kvs?.stop();
  });

  it("FRAGMENT_NUMBER starts with the fragment after AfterFragmentNumber", async () => {
    const body = await readGetMedia(
      media,
      {
        StreamName: "sel",
        StartSelector: { StartSelectorType: "FRAGMENT_NUMBER", AfterFragmentNumber: numbers[2] },
      },
      5,
    );
    expect(fragmentNumbersIn(body)).toEqual(numbers.slice(3));
  });

  it("CONTINUATION_TOKEN resumes after the fragment that carried the token", async () => {
    const body = await readGetMedia(
      media,
      {
        StreamName: "sel",
        StartSelector: { StartSelectorType: "CONTINUATION_TOKEN", ContinuationToken: numbers[5] },
      },
      2,
    );
    expect(fragmentNumbersIn(body)).toEqual(numbers.slice(6));
  });

  it("SERVER_TIMESTAMP starts with the fragment holding that server timestamp", async () => {
    const ts = serverTimestamps.get(numbers[4] as string) as number;
    const body = await readGetMedia(
      media,
      {
        StreamName: "sel",
        StartSelector: { StartSelectorType: "SERVER_TIMESTAMP", StartTimestamp: new Date(ts) },
      },
      4,
    );
    expect(fragmentNumbersIn(body)).toEqual(numbers.slice(4));
  });

  it("PRODUCER_TIMESTAMP starts with the fragment containing that producer time", async () => {
    // Fragment 1 covers producer time [1999, 3999) ms after the start.
    const body = await readGetMedia(
      media,
      {
        StreamName: "sel",
        StartSelector: {
          StartSelectorType: "PRODUCER_TIMESTAMP",
          StartTimestamp: new Date(producerStart + 3000),
        },
      },
      7,
    );
    expect(fragmentNumbersIn(body)).toEqual(numbers.slice(1));
  });

  it("NOW sends only fragments persisted after the request, as they arrive", async () => {
    const session = await openGetMedia(media, {
      StreamName: "sel",
      StartSelector: { StartSelectorType: "NOW" },
    });
    try {
      expect(session.contentType).toBe("video/webm");
      const fresh = persistedNumbers(
        await ingest(kvs.endpoint, "sel", clustersMkv, {
          producerStartTimestampMs: producerStart + 60_000,
        }),
      );
      expect(fresh.every((n) => n > (numbers.at(-1) as string))).toBe(true);
      const body = await session.readFragments(8);
      expect(fragmentNumbersIn(body)).toEqual(fresh);
    } finally {
      session.close();
    }
  });

  it("EARLIEST on an empty stream waits and then streams each fragment once persisted", async () => {
    const live = await mediaClient(kvs.endpoint, "live");
    const session = await openGetMedia(live, {
      StreamName: "live",
      StartSelector: { StartSelectorType: "EARLIEST" },
    });
    try {
      expect(session.received()).toHaveLength(0);
      const ingested = persistedNumbers(await ingest(kvs.endpoint, "live", clustersMkv));
      const body = await session.readFragments(8);
      expect(fragmentNumbersIn(body)).toEqual(ingested);
    } finally {
      session.close();
      live.destroy();
    }
  });
});
