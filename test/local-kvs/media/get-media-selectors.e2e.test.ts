import type { KinesisVideoMediaClient, StartSelector } from "@aws-sdk/client-kinesis-video-media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalKvs } from "../../../src/local-kvs/index.ts";
import {
  listFragments,
  mediaClient,
  openGetMedia,
  readGetMedia,
  startLocalKvs,
} from "../../support/kvs-local.ts";
import { fragmentNumberOf, kvsTags, splitGetMedia } from "../../support/mkv.ts";
import { ingestFixture } from "../../support/seed.ts";

const fragmentNumbersIn = (body: Uint8Array) => splitGetMedia(body, true).map(fragmentNumberOf);

describe("GetMedia start selectors and live tail", () => {
  let kvs: LocalKvs;
  let media: KinesisVideoMediaClient;
  let numbers: string[];
  let serverTimestamps: Map<string, number>;
  const producerStart = 1_650_000_000_000;
  /** The fragment numbers GetMedia on "sel" sends from `selector`, reading `fragments` of them. */
  const numbersFrom = async (selector: StartSelector, fragments: number) =>
    fragmentNumbersIn(
      await readGetMedia(media, { StreamName: "sel", StartSelector: selector }, fragments),
    );

  beforeAll(async () => {
    kvs = await startLocalKvs(["sel", "live", "other"], {
      dataRetentionInHours: 2,
      getMediaRatePerSecond: 0,
    });
    ({ numbers } = await ingestFixture(kvs.endpoint, "sel", "clusters.mkv", {
      producerStartTimestampMs: producerStart,
    }));
    const fragments = await listFragments(kvs.endpoint, "sel", {
      FragmentSelector: {
        FragmentSelectorType: "SERVER_TIMESTAMP",
        TimestampRange: {
          StartTimestamp: new Date(0),
          EndTimestamp: new Date(Date.now() + 60_000),
        },
      },
    });
    serverTimestamps = new Map(
      fragments.map((f) => [f.FragmentNumber ?? "", f.ServerTimestamp?.getTime() ?? 0]),
    );
    media = await mediaClient(kvs.endpoint, "sel");
  });
  afterAll(async () => {
    media?.destroy();
    await kvs?.stop();
  });

  it("FRAGMENT_NUMBER starts with the fragment after AfterFragmentNumber", async () => {
    const sent = await numbersFrom(
      { StartSelectorType: "FRAGMENT_NUMBER", AfterFragmentNumber: numbers[2] },
      5,
    );
    expect(sent).toEqual(numbers.slice(3));
  });

  it("CONTINUATION_TOKEN resumes after the fragment that carried the token", async () => {
    const sent = await numbersFrom(
      { StartSelectorType: "CONTINUATION_TOKEN", ContinuationToken: numbers[5] },
      2,
    );
    expect(sent).toEqual(numbers.slice(6));
  });

  it("a fragment number the stream does not hold ends the response with ERROR_ID 4000", async () => {
    const first = numbers[0] as string;
    const { numbers: others } = await ingestFixture(kvs.endpoint, "other", "clusters.mkv");
    const unknown = [
      "1", // shorter than every number: as text it sorted before all of them
      "99", // as text it sorted after all of them
      first.slice(0, 27), // a prefix
      `${first}0`, // longer
      others[0] as string, // a fragment of another stream
    ];
    const selectors: StartSelector[] = [
      ...unknown.map((n) => ({
        StartSelectorType: "FRAGMENT_NUMBER" as const,
        AfterFragmentNumber: n,
      })),
      { StartSelectorType: "CONTINUATION_TOKEN", ContinuationToken: "12345" },
    ];
    for (const selector of selectors) {
      const body = await readGetMedia(
        media,
        { StreamName: "sel", StartSelector: selector },
        1,
        5_000,
      );
      const docs = splitGetMedia(body);
      expect(docs, JSON.stringify(selector)).toHaveLength(1);
      const tags = kvsTags(docs[0] as (typeof docs)[number]);
      expect(tags.get("AWS_KINESISVIDEO_ERROR_ID")).toBe("4000");
      expect(tags.get("AWS_KINESISVIDEO_ERROR_CODE")).toBe("FRAGMENT_NOT_FOUND");
      expect(tags.get("AWS_KINESISVIDEO_FRAGMENT_NUMBER")).toBe(
        selector.AfterFragmentNumber ?? selector.ContinuationToken,
      );
      expect(docs[0]?.cluster).toBeUndefined();
    }
  });

  it("SERVER_TIMESTAMP starts with the fragment holding that server timestamp", async () => {
    const ts = serverTimestamps.get(numbers[4] as string) as number;
    const sent = await numbersFrom(
      { StartSelectorType: "SERVER_TIMESTAMP", StartTimestamp: new Date(ts) },
      4,
    );
    expect(sent).toEqual(numbers.slice(4));
  });

  it("PRODUCER_TIMESTAMP starts with the fragment containing that producer time", async () => {
    // Fragment 1 covers producer time [1999, 3999) ms after the start.
    const sent = await numbersFrom(
      { StartSelectorType: "PRODUCER_TIMESTAMP", StartTimestamp: new Date(producerStart + 3000) },
      7,
    );
    expect(sent).toEqual(numbers.slice(1));
  });

  it("NOW sends only fragments persisted after the request, as they arrive", async () => {
    const session = await openGetMedia(media, {
      StreamName: "sel",
      StartSelector: { StartSelectorType: "NOW" },
    });
    try {
      expect(session.contentType).toBe("video/webm");
      const { numbers: fresh } = await ingestFixture(kvs.endpoint, "sel", "clusters.mkv", {
        producerStartTimestampMs: producerStart + 60_000,
      });
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
      const { numbers: ingested } = await ingestFixture(kvs.endpoint, "live", "clusters.mkv");
      const body = await session.readFragments(8);
      expect(fragmentNumbersIn(body)).toEqual(ingested);
    } finally {
      session.close();
      live.destroy();
    }
  });
});
