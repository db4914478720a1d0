// PutMedia acks as the API reference describes them: BUFFERING once a fragment starts arriving,
// RECEIVED when it is complete, PERSISTED once durable, IDLE while the producer sends nothing,
// and the connection closed after the idle timeout; refused MKV gets the ErrorId of its reason.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalKvs } from "../../../src/local-kvs/index.ts";
import { type PutMediaAck, putMedia } from "../../../src/local-kvs/producer/put-media-client.ts";
import { concatBytes, encodeId, ID } from "../../../src/mkv/ebml/primitives.ts";
import { fixture } from "../../support/fixtures.ts";
import { dataEndpoint, startLocalKvs } from "../../support/kvs-local.ts";
import { clustersOf } from "../../support/mkv.ts";
import { pushableBody } from "../../support/seed.ts";
import { waitFor } from "../../support/wait.ts";

/** A PutMedia whose body is sent by the test, piece by piece; acks are collected as they come. */
async function openProducer(kvs: LocalKvs, streamName: string) {
  const pushed = pushableBody();
  const session = putMedia({
    endpoint: await dataEndpoint(kvs.endpoint, streamName, "PUT_MEDIA"),
    streamName,
    body: pushed.body,
    timecodeType: "RELATIVE",
    producerStartTimestampMs: Date.now(),
  });
  const acks: PutMediaAck[] = [];
  const collected = (async () => {
    for await (const ack of session.acks) acks.push(ack);
  })();
  return {
    acks,
    /** Resolves once the server closed the exchange. */
    closed: Promise.all([collected, session.done]),
    send: pushed.push,
    end: pushed.end,
  };
}

describe("PutMedia acks", () => {
  let kvs: LocalKvs;
  const file = fixture("clusters.mkv");
  const clusters = clustersOf(file);
  const first = clusters[0] as Uint8Array;
  const firstOffset = first.byteOffset - file.byteOffset;

  beforeAll(async () => {
    // The documented 30 s idle timeout: pauses of a loaded test machine between the pieces the
    // tests send must not end the connection.
    kvs = await startLocalKvs(["acks", "big"], {
      dataRetentionInHours: 1,
      putMediaIdleAckSeconds: 0.05,
      putMediaIdleTimeoutSeconds: 30,
    });
  });
  afterAll(async () => {
    await kvs?.stop();
  });

  it("acks BUFFERING when a Cluster starts arriving, RECEIVED and PERSISTED once it is whole", async () => {
    const producer = await openProducer(kvs, "acks");
    // This server acks IDLE every 50 ms of quiet: a slow test machine may see some in between.
    const acks = () => producer.acks.filter((a) => a.EventType !== "IDLE");
    // The header and the first 100 bytes of the first Cluster.
    producer.send(file.subarray(0, firstOffset + 100));
    await waitFor(() => acks().length > 0, 10_000, "the first ack");
    expect(acks()).toEqual([{ EventType: "BUFFERING", FragmentTimecode: 0 }]);

    producer.send(file.subarray(firstOffset + 100, firstOffset + first.length));
    await waitFor(() => acks().some((a) => a.EventType === "PERSISTED"), 10_000, "PERSISTED");
    expect(acks().map((a) => a.EventType)).toEqual(["BUFFERING", "RECEIVED", "PERSISTED"]);
    expect(acks()[2]).toEqual({
      EventType: "PERSISTED",
      FragmentTimecode: 0,
      FragmentNumber: expect.stringMatching(/^\d{47}$/),
    });
    producer.end();
    await producer.closed;
  });

  it("answers a Cluster declared larger than a fragment may be with ErrorId 4001", async () => {
    const producer = await openProducer(kvs, "big");
    // A Cluster header declaring 64 MiB (8-byte size), past the 50 MB fragment limit.
    const huge = concatBytes([encodeId(ID.Cluster), Uint8Array.of(0x01, 0, 0, 0, 0x04, 0, 0, 0)]);
    producer.send(concatBytes([file.subarray(0, firstOffset), huge]));
    await producer.closed;
    expect(producer.acks).toEqual([{ EventType: "ERROR", ErrorId: 4001 }]);
  });

  describe("with a short idle timeout", () => {
    let quick: LocalKvs;

    beforeAll(async () => {
      quick = await startLocalKvs(["quiet"], {
        dataRetentionInHours: 1,
        putMediaIdleAckSeconds: 0.05,
        putMediaIdleTimeoutSeconds: 0.6,
      });
    });
    afterAll(async () => {
      await quick?.stop();
    });

    it("acks IDLE while the producer is quiet and closes the connection after the idle timeout", async () => {
      const producer = await openProducer(quick, "quiet");
      const startedAt = Date.now();
      producer.send(file.subarray(0, firstOffset + first.length));
      // Never ended: the server gives up on it.
      await Promise.race([producer.closed, new Promise((r) => setTimeout(r, 10_000))]);
      const elapsedMs = Date.now() - startedAt;
      expect(elapsedMs).toBeGreaterThanOrEqual(550);
      expect(elapsedMs).toBeLessThan(10_000);
      const kinds = producer.acks.map((a) => a.EventType);
      expect(kinds.slice(0, 3)).toEqual(["BUFFERING", "RECEIVED", "PERSISTED"]);
      const idle = producer.acks.slice(3);
      expect(idle.length).toBeGreaterThanOrEqual(3);
      expect(idle.every((a) => a.EventType === "IDLE" && a.FragmentTimecode === undefined)).toBe(
        true,
      );
    });
  });
});
