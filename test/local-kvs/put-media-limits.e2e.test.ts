// PutMedia limits answered as KVS answers them: a memory budget for the Clusters all connections
// hold at once (a connection whose Cluster no longer fits gets an ERROR ack with ErrorId 5000,
// while other calls are answered in time), a per-stream cap on concurrent connections
// (ConnectionLimitExceededException before the 200) and a minimum data rate (ErrorId 4000).

import { ListStreamsCommand } from "@aws-sdk/client-kinesis-video";
import { describe, expect, it } from "vitest";
import type { LocalKvs } from "../../src/local-kvs/index.ts";
import { PUT_MEDIA_ERROR } from "../../src/local-kvs/ingest/ack.ts";
import {
  type PutMediaAck,
  type PutMediaSession,
  putMedia,
} from "../../src/local-kvs/producer/put-media-client.ts";
import { controlPlane, createStreams, startLocalKvs } from "../support/kvs-local.ts";
import { largeClusterMkv } from "../support/mkv.ts";
import { type PushableBody, pushableBody } from "../support/seed.ts";
import { waitFor } from "../support/wait.ts";

const MiB = 1024 * 1024;

interface OpenPut {
  body: PushableBody;
  session: PutMediaSession;
  acks: PutMediaAck[];
  /** The HTTP error, when the call was refused before its 200. */
  refused: Error | undefined;
  finished: boolean;
  stop(): void;
}

/** A PutMedia whose body the test pushes piece by piece; acks are collected as they come. */
function openPut(kvs: LocalKvs, streamName: string): OpenPut {
  const body = pushableBody();
  const abort = new AbortController();
  const session = putMedia({
    endpoint: kvs.endpoint,
    streamName,
    body: body.body,
    timecodeType: "RELATIVE",
    producerStartTimestampMs: Date.now() - 60_000,
    signal: abort.signal,
  });
  const put: OpenPut = {
    body,
    session,
    acks: [],
    refused: undefined,
    finished: false,
    stop: () => {
      body.end();
      abort.abort();
    },
  };
  (async () => {
    for await (const ack of session.acks) put.acks.push(ack);
  })()
    .catch((error: unknown) => {
      put.refused = error as Error;
    })
    .finally(() => {
      put.finished = true;
    });
  return put;
}

const errorIds = (put: OpenPut) =>
  put.acks.filter((a) => a.EventType === "ERROR").map((a) => a.ErrorId);
const persistedCount = (put: OpenPut) => put.acks.filter((a) => a.EventType === "PERSISTED").length;

describe("PutMedia memory budget", () => {
  it("holds the Clusters of many connections within the budget; the excess gets ERROR 5000", async () => {
    const budget = 40 * MiB;
    const clusterBytes = 16 * MiB;
    const connections = 10;
    const names = Array.from({ length: connections }, (_, i) => `big-${i}`);
    const kvs = await startLocalKvs(names, { putMediaMemoryBudgetBytes: budget });
    const mkv = largeClusterMkv(clusterBytes);
    const puts = names.map((name) => openPut(kvs, name));
    try {
      // Everything but the Cluster's last bytes: each connection holds its Cluster unfinished.
      const held = mkv.subarray(0, mkv.length - 1024);
      for (let at = 0; at < held.length; at += 256 * 1024) {
        for (const put of puts) put.body.push(held.subarray(at, at + 256 * 1024));
        await new Promise((resolve) => setImmediate(resolve));
      }
      // At most two 16 MiB Clusters fit in 40 MiB: the others were given up.
      const failed = () => puts.filter((p) => p.finished).length;
      await waitFor(() => failed() >= connections - 2, 30_000, "the connections past the budget");

      // Another call is answered in time while the budget is full.
      const cp = controlPlane(kvs.endpoint);
      const started = Date.now();
      const listed = await cp.send(new ListStreamsCommand({ MaxResults: 100 }));
      cp.destroy();
      expect(listed.StreamInfoList).toHaveLength(connections);
      expect(Date.now() - started).toBeLessThan(2000);

      const survivors = puts.filter((p) => !p.finished);
      const givenUp = puts.filter((p) => p.finished);
      expect(survivors.length).toBeGreaterThanOrEqual(1);
      expect(survivors.length).toBeLessThanOrEqual(Math.floor(budget / clusterBytes));
      for (const put of givenUp) {
        expect(put.refused).toBeUndefined();
        expect(errorIds(put)).toEqual([PUT_MEDIA_ERROR.INTERNAL_ERROR]);
        expect(persistedCount(put)).toBe(0);
      }
      expect(kvs.putMediaMemory.peakBytes).toBeLessThanOrEqual(budget);
      expect(kvs.putMediaMemory.peakBytes).toBeGreaterThan(clusterBytes);

      // The survivors finish their Clusters, which are stored.
      for (const put of survivors) {
        put.body.push(mkv.subarray(mkv.length - 1024));
        put.body.end();
      }
      await waitFor(() => survivors.every((p) => p.finished), 30_000, "the survivors' acks");
      for (const put of survivors) {
        expect(errorIds(put)).toEqual([]);
        expect(persistedCount(put)).toBe(1);
      }
      expect(kvs.putMediaMemory.inUseBytes).toBe(0);
    } finally {
      for (const put of puts) put.stop();
      await kvs.stop();
    }
  });
});

describe("PutMedia memory budget used up", () => {
  it("refuses a new connection with ConnectionLimitExceededException until memory is freed", async () => {
    const kvs = await startLocalKvs(["holder", "late"], {
      putMediaMemoryBudgetBytes: MiB + 32 * 1024,
    });
    const mkv = largeClusterMkv(4 * MiB);
    const holder = openPut(kvs, "holder");
    try {
      // The header and about 1 MiB of an unfinished Cluster: less than 64 KiB of budget left.
      holder.body.push(mkv.subarray(0, MiB + 16 * 1024));
      await waitFor(() => kvs.putMediaMemory.inUseBytes >= MiB, 10_000, "the held Cluster");
      const late = openPut(kvs, "late");
      late.body.push(mkv.subarray(0, 1024));
      await expect(late.session.done).rejects.toMatchObject({
        name: "ConnectionLimitExceededException",
        status: 400,
      });
      expect(holder.finished).toBe(false);

      holder.stop();
      await waitFor(() => kvs.putMediaMemory.inUseBytes === 0, 10_000, "the budget freed");
      const next = openPut(kvs, "late");
      next.body.push(mkv.subarray(0, 1024));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(next.refused).toBeUndefined();
      next.stop();
    } finally {
      holder.stop();
      await kvs.stop();
    }
  });
});

describe("PutMedia connections per stream", () => {
  it("answers ConnectionLimitExceededException past the cap and frees a slot on close", async () => {
    const kvs = await startLocalKvs(["capped"], { putMediaConnectionLimit: 2 });
    const header = largeClusterMkv(0).subarray(0, 200);
    const open: OpenPut[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const put = openPut(kvs, "capped");
        put.body.push(header);
        open.push(put);
      }
      await waitFor(() => kvs.stats.inProgress("PutMedia") === 2, 10_000, "two open PutMedia");
      const third = openPut(kvs, "capped");
      third.body.push(header);
      await expect(third.session.done).rejects.toMatchObject({
        name: "ConnectionLimitExceededException",
        status: 400,
      });
      // Another stream is not affected.
      await createStreams(kvs.endpoint, ["other"]);
      const other = openPut(kvs, "other");
      other.body.push(header);
      open.push(other);
      await waitFor(() => kvs.stats.inProgress("PutMedia") === 3, 10_000, "a PutMedia elsewhere");

      open.shift()?.stop();
      await waitFor(() => kvs.stats.inProgress("PutMedia") === 2, 10_000, "the closed one gone");
      const again = openPut(kvs, "capped");
      again.body.push(header);
      open.push(again);
      await waitFor(() => kvs.stats.inProgress("PutMedia") === 3, 10_000, "the freed slot taken");
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(again.refused).toBeUndefined();
      expect(again.finished).toBe(false);
    } finally {
      for (const put of open) put.stop();
      await kvs.stop();
    }
  });
});

describe("PutMedia minimum data rate", () => {
  it("gives up a body that trickles below the floor with ERROR 4000", async () => {
    const kvs = await startLocalKvs(["trickle"], {
      putMediaMinBytesPerSecond: 2000,
      putMediaMinRateWindowSeconds: 1,
    });
    const mkv = largeClusterMkv(64 * 1024);
    const put = openPut(kvs, "trickle");
    const started = Date.now();
    let at = 0;
    const timer = setInterval(() => put.body.push(mkv.subarray(at, ++at)), 200);
    try {
      await waitFor(() => put.finished, 10_000, "the ERROR ack");
      expect(errorIds(put)).toEqual([PUT_MEDIA_ERROR.STREAM_READ_ERROR]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    } finally {
      clearInterval(timer);
      put.stop();
      await kvs.stop();
    }
  });
});
