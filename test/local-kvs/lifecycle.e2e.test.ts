import { DeleteStreamCommand, DescribeStreamCommand } from "@aws-sdk/client-kinesis-video";
import { describe, expect, it } from "vitest";
import { type PutMediaAck, putMedia } from "../../src/local-kvs/producer/put-media-client.ts";
import { fixture } from "../support/fixtures.ts";
import { controlPlane, mediaClient, openGetMedia, startLocalKvs } from "../support/kvs-local.ts";
import { clustersOf } from "../support/mkv.ts";

/** clusters.mkv split right after its `count`-th Cluster. */
function splitAfterCluster(count: number): [Uint8Array, Uint8Array] {
  const file = fixture("clusters.mkv");
  const cluster = clustersOf(file)[count - 1] as Uint8Array;
  const end = cluster.byteOffset - file.byteOffset + cluster.length;
  return [file.subarray(0, end), file.subarray(end)];
}

/** A live producer: sends `head`, waits for `resume`, then sends `tail` (when given). */
function pausingProducer(
  endpoint: string,
  streamName: string,
  head: Uint8Array,
  resume: Promise<void>,
  tail?: Uint8Array,
) {
  return putMedia({
    endpoint,
    streamName,
    timecodeType: "RELATIVE",
    producerStartTimestampMs: Date.now(),
    body: (async function* () {
      yield head;
      await resume;
      if (tail) yield tail;
    })(),
  });
}

describe("lifecycle: stop() and stream deletion under open connections", () => {
  it("closes open GetMedia and PutMedia connections", async () => {
    const kvs = await startLocalKvs(["open"], { dataRetentionInHours: 1 });
    const media = await mediaClient(kvs.endpoint, "open");
    const reader = await openGetMedia(media, {
      StreamName: "open",
      StartSelector: { StartSelectorType: "NOW" },
    });

    // The header and first Cluster, then nothing more for a long while.
    const [head] = splitAfterCluster(1);
    const longWhile = new Promise<void>((r) => setTimeout(r, 60_000).unref());
    const producer = pausingProducer(kvs.endpoint, "open", head, longWhile);
    const acks: PutMediaAck[] = [];
    for await (const ack of producer.acks) {
      acks.push(ack);
      if (ack.EventType === "PERSISTED") break;
    }
    await reader.readFragments(1);

    await kvs.stop();
    const outcome = await producer.done.then(
      () => "ended",
      () => "failed",
    );
    expect(["ended", "failed"]).toContain(outcome);
    // The GetMedia response is over (cut or ended), so asking for more does not wait.
    const more = await reader.readFragments(2, 10_000).then(
      () => "ended",
      (error: Error) => error.message,
    );
    expect(more).not.toMatch(/timed out/);
    expect(acks.at(-1)?.EventType).toBe("PERSISTED");
    reader.close();
    media.destroy();
  });

  it("answers a producer whose stream is deleted mid-upload with ERROR 4008", async () => {
    const kvs = await startLocalKvs(["gone"], { dataRetentionInHours: 1 });
    const cp = controlPlane(kvs.endpoint);
    try {
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const [head, tail] = splitAfterCluster(2);
      const producer = pausingProducer(kvs.endpoint, "gone", head, held, tail);
      const acks: PutMediaAck[] = [];
      let deleted = false;
      for await (const ack of producer.acks) {
        acks.push(ack);
        if (!deleted && acks.filter((a) => a.EventType === "PERSISTED").length === 2) {
          deleted = true;
          const { StreamInfo } = await cp.send(new DescribeStreamCommand({ StreamName: "gone" }));
          await cp.send(new DeleteStreamCommand({ StreamARN: StreamInfo?.StreamARN }));
          release();
        }
      }
      await producer.done.catch(() => {});
      expect(acks.filter((a) => a.EventType === "PERSISTED")).toHaveLength(2);
      expect(acks.at(-1)).toMatchObject({ EventType: "ERROR", ErrorId: 4008 });
    } finally {
      cp.destroy();
      await kvs.stop();
    }
  });
});
