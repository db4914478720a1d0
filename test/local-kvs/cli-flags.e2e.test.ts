// The standalone server's limits are flags, and it removes clip build directories that a killed
// process left in the temp directory (only stale ones: another running server may own fresh ones).

import { mkdir, stat, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  GetClipCommand,
  type KinesisVideoArchivedMediaClient,
  ListFragmentsCommand,
} from "@aws-sdk/client-kinesis-video-archived-media";
import type { KinesisVideoMediaClient } from "@aws-sdk/client-kinesis-video-media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { putMedia } from "../../src/local-kvs/producer/put-media-client.ts";
import { fixture } from "../support/fixtures.ts";
import {
  archivedMedia,
  createStreams,
  killLocalKvs,
  type LocalKvsProcess,
  mediaClient,
  openGetMedia,
  spawnLocalKvs,
} from "../support/kvs-local.ts";
import { removeScratchDirectory } from "../support/scratch.ts";
import { ingestFixture, pushableBody } from "../support/seed.ts";
import { openSlowSocket, slowHeaders } from "../support/slow-sockets.ts";

const exists = (dir: string) =>
  stat(dir).then(
    () => true,
    () => false,
  );

describe("kvs-local CLI limits and startup sweep", () => {
  let server: LocalKvsProcess;
  let media: KinesisVideoMediaClient;
  let archive: KinesisVideoArchivedMediaClient;
  const staleClipDir = path.join(os.tmpdir(), `kvs-local-clip-cli-test-${process.pid}-stale`);
  const freshClipDir = path.join(os.tmpdir(), `kvs-local-clip-cli-test-${process.pid}-fresh`);

  beforeAll(async () => {
    for (const dir of [staleClipDir, freshClipDir]) {
      await mkdir(dir, { recursive: true });
      await mkdir(path.join(dir, "x"), { recursive: true });
    }
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(path.join(staleClipDir, "x"), twoHoursAgo, twoHoursAgo);
    await utimes(staleClipDir, twoHoursAgo, twoHoursAgo);

    server = await spawnLocalKvs([
      "--in-memory",
      "--get-media-connection-limit",
      "1",
      "--get-media-rate",
      "2",
      "--get-clip-rate",
      "0",
      "--list-fragments-order",
      "shuffled",
      "--headers-timeout-seconds",
      "1",
      "--put-media-connection-limit",
      "1",
      "--put-media-memory-mb",
      "64",
    ]);
    await createStreams(server.endpoint, ["flags"], { dataRetentionInHours: 1 });
    media = await mediaClient(server.endpoint, "flags");
    archive = await archivedMedia(server.endpoint, "flags");
  });
  afterAll(async () => {
    media?.destroy();
    archive?.destroy();
    if (server) await killLocalKvs(server);
    for (const dir of [staleClipDir, freshClipDir]) await removeScratchDirectory(dir);
  });

  it("removes stale kvs-local-clip-* directories at startup and keeps fresh ones", async () => {
    expect(await exists(staleClipDir)).toBe(false);
    expect(await exists(freshClipDir)).toBe(true);
  });

  it("takes the GetMedia connection limit and call rate from flags", async () => {
    const input = { StreamName: "flags", StartSelector: { StartSelectorType: "NOW" as const } };
    const first = await openGetMedia(media, input);
    try {
      await expect(openGetMedia(media, input)).rejects.toMatchObject({
        name: "ConnectionLimitExceededException",
      });
    } finally {
      first.close();
    }
    // The third call within a second, past --get-media-rate 2.
    await expect(openGetMedia(media, input)).rejects.toMatchObject({
      name: "ClientLimitExceededException",
    });
  });

  it("takes the GetClip rate (0 = unlimited) and the ListFragments order from flags", async () => {
    const { numbers } = await ingestFixture(server.endpoint, "flags", "clusters.mkv");
    const clip = () =>
      archive.send(
        new GetClipCommand({
          StreamName: "flags",
          ClipFragmentSelector: {
            FragmentSelectorType: "SERVER_TIMESTAMP",
            TimestampRange: { StartTimestamp: new Date(0), EndTimestamp: new Date(1000) },
          },
        }),
      );
    // Three calls within a second: past the default of 1 per second, none throttled.
    for (let i = 0; i < 3; i++) {
      await expect(clip()).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    }
    const listed = await archive.send(new ListFragmentsCommand({ StreamName: "flags" }));
    const order = (listed.Fragments ?? []).map((f) => f.FragmentNumber);
    expect([...order].sort()).toEqual(numbers);
    expect(order).not.toEqual(numbers);
  });

  it("takes the headers timeout and the PutMedia connection cap from flags", async () => {
    const slow = await openSlowSocket(server.endpoint, slowHeaders(200));
    await slow.closed;
    expect(slow.received).toMatch(/^HTTP\/1\.1 408/);
    expect(slow.closedAfterMs).toBeLessThan(5000);

    const open = (body: AsyncIterable<Uint8Array>) =>
      putMedia({
        endpoint: server.endpoint,
        streamName: "flags",
        body,
        timecodeType: "RELATIVE",
        producerStartTimestampMs: Date.now(),
      });
    const header = fixture("clusters.mkv").subarray(0, 100);
    const first = pushableBody();
    first.push(header);
    const holding = open(first.body);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = pushableBody();
    second.push(header);
    await expect(open(second.body).done).rejects.toMatchObject({
      name: "ConnectionLimitExceededException",
    });
    first.end();
    second.end();
    await holding.done.catch(() => {});
  });
});
