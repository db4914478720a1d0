import { readdir } from "node:fs/promises";
import path from "node:path";
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
} from "@aws-sdk/client-kinesis-video";
import {
  type KinesisVideoArchivedMediaClient,
  ListFragmentsCommand,
} from "@aws-sdk/client-kinesis-video-archived-media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalKvs } from "../../../src/local-kvs/index.ts";
import {
  archivedMedia,
  controlPlane,
  createStreams,
  mediaClient,
  openGetMedia,
  startLocalKvs,
} from "../../support/kvs-local.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { ingestFixture } from "../../support/seed.ts";

describe("ListFragments", () => {
  let kvs: LocalKvs;
  let list: KinesisVideoArchivedMediaClient;
  let numbers: string[];
  const producerStart = 1_690_000_000_000;

  beforeAll(async () => {
    kvs = await startLocalKvs(["pages"], { dataRetentionInHours: 1 });
    ({ numbers } = await ingestFixture(kvs.endpoint, "pages", "clusters.mkv", {
      producerStartTimestampMs: producerStart,
    }));
    list = await archivedMedia(kvs.endpoint, "pages");
  });
  afterAll(async () => {
    list?.destroy();
    await kvs?.stop();
  });

  it("pages with MaxResults and NextToken, every fragment exactly once", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await list.send(
        new ListFragmentsCommand({
          StreamName: "pages",
          MaxResults: 3,
          ...(token
            ? { NextToken: token }
            : {
                FragmentSelector: {
                  FragmentSelectorType: "PRODUCER_TIMESTAMP",
                  TimestampRange: {
                    StartTimestamp: new Date(producerStart),
                    EndTimestamp: new Date(producerStart + 20_000),
                  },
                },
              }),
        }),
      );
      seen.push(...(out.Fragments ?? []).map((f) => f.FragmentNumber ?? ""));
      token = out.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(numbers);
  });

  it("selects by start timestamp: at or after the start, at or before the end", async () => {
    // Fragment starts at +0, +1999, +3999, +5998, …: [+1000, +5998] holds fragments 1-3.
    const out = await list.send(
      new ListFragmentsCommand({
        StreamName: "pages",
        FragmentSelector: {
          FragmentSelectorType: "PRODUCER_TIMESTAMP",
          TimestampRange: {
            StartTimestamp: new Date(producerStart + 1000),
            EndTimestamp: new Date(producerStart + 5998),
          },
        },
      }),
    );
    expect(out.Fragments?.map((f) => f.FragmentNumber).sort()).toEqual(numbers.slice(1, 4));
    const none = await list.send(
      new ListFragmentsCommand({
        StreamName: "pages",
        FragmentSelector: {
          FragmentSelectorType: "SERVER_TIMESTAMP",
          TimestampRange: { StartTimestamp: new Date(0), EndTimestamp: new Date(1000) },
        },
      }),
    );
    expect(none.Fragments).toEqual([]);
    expect(none.NextToken).toBeUndefined();
  });

  it("rejects a token that is not ours", async () => {
    await expect(
      list.send(new ListFragmentsCommand({ StreamName: "pages", NextToken: "bm90LWEtdG9rZW4=" })),
    ).rejects.toMatchObject({ name: "InvalidArgumentException" });
  });
});

describe("ListFragments with listFragmentsOrder: shuffled", () => {
  let kvs: LocalKvs;
  let list: KinesisVideoArchivedMediaClient;
  let numbers: string[];
  const producerStart = 1_690_000_000_000;

  beforeAll(async () => {
    kvs = await startLocalKvs(["mixed"], {
      dataRetentionInHours: 1,
      listFragmentsOrder: "shuffled",
    });
    numbers = [];
    for (const start of [producerStart, producerStart + 60_000]) {
      const ingested = await ingestFixture(kvs.endpoint, "mixed", "clusters.mkv", {
        producerStartTimestampMs: start,
      });
      numbers.push(...ingested.numbers);
    }
    list = await archivedMedia(kvs.endpoint, "mixed");
  });
  afterAll(async () => {
    list?.destroy();
    await kvs?.stop();
  });

  /** Every page of one listing, concatenated. */
  async function listAll(selector: boolean): Promise<string[]> {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const out = await list.send(
        new ListFragmentsCommand({
          StreamName: "mixed",
          MaxResults: 5,
          ...(token
            ? { NextToken: token }
            : selector
              ? {
                  FragmentSelector: {
                    FragmentSelectorType: "PRODUCER_TIMESTAMP",
                    TimestampRange: {
                      StartTimestamp: new Date(producerStart),
                      EndTimestamp: new Date(producerStart + 120_000),
                    },
                  },
                }
              : {}),
        }),
      );
      seen.push(...(out.Fragments ?? []).map((f) => f.FragmentNumber ?? ""));
      token = out.NextToken;
    } while (token);
    return seen;
  }

  it("pages every fragment exactly once, in an order that is not sorted and differs per listing", async () => {
    for (const selector of [true, false]) {
      const first = await listAll(selector);
      const second = await listAll(selector);
      expect(numbers).toHaveLength(16);
      expect([...first].sort()).toEqual(numbers);
      expect([...second].sort()).toEqual(numbers);
      expect(first).not.toEqual(numbers);
      expect(second).not.toEqual(first);
    }
  });
});

describe("retention and deletion", () => {
  let dataDir: string;
  let kvs: LocalKvs;
  const now = { ms: Date.now() };

  beforeAll(async () => {
    dataDir = await scratchDirectory("kvs-retention-");
    kvs = await startLocalKvs([], { dataDir, clock: { now: () => now.ms } });
  });
  afterAll(async () => {
    await kvs?.stop();
    await removeScratchDirectory(dataDir);
  });

  it("drops fragments past DataRetentionInHours from reads and from disk", async () => {
    await createStreams(kvs.endpoint, ["short"], { dataRetentionInHours: 1 });
    const { numbers } = await ingestFixture(kvs.endpoint, "short", "clusters.mkv");
    expect(numbers).toHaveLength(8);
    const list = await archivedMedia(kvs.endpoint, "short");
    const count = async () =>
      (await list.send(new ListFragmentsCommand({ StreamName: "short" }))).Fragments?.length;
    expect(await count()).toBe(8);
    now.ms += 3_600_000 + 1_000;
    expect(await count()).toBe(0);
    expect(await kvs.store.enforceRetention(now.ms)).toBe(8);
    list.destroy();
    const streamDirs = await readdir(path.join(dataDir, "streams"));
    const files = await readdir(path.join(dataDir, "streams", streamDirs[0] as string));
    expect(files.filter((f) => f.startsWith("media-"))).toEqual([]);
  });

  it("deleting a stream ends its open GetMedia responses and removes its files", async () => {
    const cp = controlPlane(kvs.endpoint);
    await cp.send(new CreateStreamCommand({ StreamName: "doomed", DataRetentionInHours: 1 }));
    await ingestFixture(kvs.endpoint, "doomed", "clusters.mkv");
    const media = await mediaClient(kvs.endpoint, "doomed");
    const session = await openGetMedia(media, {
      StreamName: "doomed",
      StartSelector: { StartSelectorType: "EARLIEST" },
    });
    await session.readFragments(8);
    const { StreamInfo } = await cp.send(new DescribeStreamCommand({ StreamName: "doomed" }));
    await cp.send(new DeleteStreamCommand({ StreamARN: StreamInfo?.StreamARN }));
    // The response ends: reading more fragments finishes without new data.
    const after = await session.readFragments(9, 5_000).catch((e: Error) => e);
    expect(after).toBeInstanceOf(Uint8Array);
    session.close();
    media.destroy();
    cp.destroy();
    const dirs = await readdir(path.join(dataDir, "streams"));
    expect(dirs.some((d) => d.startsWith("s-doomed-"))).toBe(false);
  });
});
