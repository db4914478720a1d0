// kill -9 after PERSISTED acks, then a restart on the same data directory, loses nothing.

import { appendFile, readdir } from "node:fs/promises";
import path from "node:path";
import { DescribeStreamCommand } from "@aws-sdk/client-kinesis-video";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PutMediaAck, putMedia } from "../../../src/local-kvs/producer/put-media-client.ts";
import { fixture } from "../../support/fixtures.ts";
import {
  controlPlane,
  createStreams,
  dataEndpoint,
  killLocalKvs,
  type LocalKvsProcess,
  listFragments,
  readEarliest,
  spawnLocalKvs,
} from "../../support/kvs-local.ts";
import { carriesCluster, clustersOf, fragmentNumberOf } from "../../support/mkv.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { ingestFixture, persistedNumbers } from "../../support/seed.ts";

const listAll = (endpoint: string) => listFragments(endpoint, "durable", { MaxResults: 1000 });

async function describeDurable(endpoint: string) {
  const client = controlPlane(endpoint);
  try {
    return (await client.send(new DescribeStreamCommand({ StreamName: "durable" }))).StreamInfo;
  } finally {
    client.destroy();
  }
}

describe("durable storage across kill -9", () => {
  let dataDir: string;
  const servers: LocalKvsProcess[] = [];

  beforeAll(async () => {
    dataDir = await scratchDirectory("kvs-durable-");
  });
  afterAll(async () => {
    for (const server of servers) await killLocalKvs(server);
    await removeScratchDirectory(dataDir);
  });

  it("keeps every PERSISTED fragment, its bytes, and the stream, and keeps numbering upward", async () => {
    const first = await spawnLocalKvs(["--data-dir", dataDir]);
    servers.push(first);
    await createStreams(first.endpoint, ["durable"], { dataRetentionInHours: 24 });
    const before = await describeDurable(first.endpoint);
    const { file, numbers } = await ingestFixture(first.endpoint, "durable", "clusters.mkv");
    expect(numbers).toHaveLength(8);
    const listed = await listAll(first.endpoint);

    // A second producer is cut off by the kill: whatever it saw PERSISTED must survive too.
    const slow = putMedia({
      endpoint: await dataEndpoint(first.endpoint, "durable", "PUT_MEDIA"),
      streamName: "durable",
      timecodeType: "RELATIVE",
      producerStartTimestampMs: Date.now() + 60_000,
      body: (async function* () {
        const vogels = fixture("vogels_480.mkv");
        for (let at = 0; at < vogels.length; at += 32_768) {
          yield vogels.subarray(at, at + 32_768);
          await new Promise((r) => setTimeout(r, 5));
        }
      })(),
    });
    const seen: PutMediaAck[] = [];
    for await (const ack of slow.acks) {
      seen.push(ack);
      if (persistedNumbers(seen).length === 2) break;
    }
    await killLocalKvs(first);
    await slow.done.catch(() => {});
    const slowNumbers = persistedNumbers(seen);
    expect(slowNumbers).toHaveLength(2);

    // A torn write at the tail of the newest segment (as a crash mid-append leaves it).
    const streamDir = path.join(
      dataDir,
      "streams",
      (await readdir(path.join(dataDir, "streams")))[0] as string,
    );
    const segments = (await readdir(streamDir)).filter((f) => f.startsWith("media-")).sort();
    await appendFile(
      path.join(streamDir, segments.at(-1) as string),
      Buffer.from("KVSR\u0002garbage"),
    );

    const second = await spawnLocalKvs(["--data-dir", dataDir]);
    servers.push(second);
    expect(await describeDurable(second.endpoint)).toEqual(before);

    const relisted = await listAll(second.endpoint);
    const relistedNumbers = relisted.map((f) => f.FragmentNumber);
    for (const n of [...numbers, ...slowNumbers]) expect(relistedNumbers).toContain(n);
    expect(relisted.slice(0, 8)).toEqual(listed);

    const docs = await readEarliest(second.endpoint, "durable", relisted.length);
    const clusters = clustersOf(file);
    docs.slice(0, 8).forEach((doc, i) => {
      expect(fragmentNumberOf(doc)).toBe(numbers[i]);
      expect(carriesCluster(doc, clusters[i])).toBe(true);
    });

    const { numbers: more } = await ingestFixture(second.endpoint, "durable", "clusters.mkv");
    expect(more).toHaveLength(8);
    const newest = relistedNumbers.at(-1) as string;
    expect(more.every((n) => n > newest)).toBe(true);
  });
});
