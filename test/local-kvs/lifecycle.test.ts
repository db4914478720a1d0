import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
} from "@aws-sdk/client-kinesis-video";
import { describe, expect, it } from "vitest";
import { createLocalKvs } from "../../src/local-kvs/index.ts";
import { type PutMediaAck, putMedia } from "../../src/local-kvs/producer/put-media-client.ts";
import { clustersOf, controlPlane, fixture, mediaClient, openGetMedia } from "./helpers.ts";

describe("lifecycle: stop() and stream deletion under open connections", () => {
  it("closes open GetMedia and PutMedia connections", async () => {
    const kvs = await createLocalKvs({ inMemory: true });
    const cp = controlPlane(kvs.endpoint);
    await cp.send(new CreateStreamCommand({ StreamName: "open", DataRetentionInHours: 1 }));
    cp.destroy();
    const media = await mediaClient(kvs.endpoint, "open");
    const reader = await openGetMedia(media, {
      StreamName: "open",
      StartSelector: { StartSelectorType: "NOW" },
    });

    // A live producer: the header and first Cluster, then nothing more for a long while.
    const file = fixture("clusters.mkv");
    const firstCluster = clustersOf(file)[0] as Uint8Array;
    const upTo = firstCluster.byteOffset - file.byteOffset + firstCluster.length;
    const producer = putMedia({
      endpoint: kvs.endpoint,
      streamName: "open",
      timecodeType: "RELATIVE",
      producerStartTimestampMs: Date.now(),
      body: (async function* () {
        yield file.subarray(0, upTo);
        await new Promise((r) => setTimeout(r, 60_000).unref());
      })(),
    });
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
    const kvs = await createLocalKvs({ inMemory: true });
    const cp = controlPlane(kvs.endpoint);
    try {
      await cp.send(new CreateStreamCommand({ StreamName: "gone", DataRetentionInHours: 1 }));
      const file = fixture("clusters.mkv");
      const clusters = clustersOf(file);
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const secondEnd =
        (clusters[1] as Uint8Array).byteOffset -
        file.byteOffset +
        (clusters[1] as Uint8Array).length;
      const producer = putMedia({
        endpoint: kvs.endpoint,
        streamName: "gone",
        timecodeType: "RELATIVE",
        producerStartTimestampMs: Date.now(),
        body: (async function* () {
          yield file.subarray(0, secondEnd);
          await held;
          yield file.subarray(secondEnd);
        })(),
      });
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
