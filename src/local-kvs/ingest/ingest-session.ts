// One PutMedia connection: splits the MKV body into header and Clusters, stores each Cluster
// as a fragment and acknowledges it. The body is consumed chunk by chunk and each fragment is
// persisted before more is read, so memory stays bounded by the largest Cluster; what a
// connection holds is also counted against one budget shared by all connections.

import type { MkvErrorReason } from "../../mkv/ebml/primitives.ts";
import { MkvClusterSplitter } from "../../mkv/ingest/cluster-splitter.ts";
import type { SplitterEvent } from "../../mkv/ingest/types.ts";
import type { Clock } from "../clock.ts";
import { StreamGoneError } from "../store/local-fragment-store.ts";
import { type FragmentStore, type StreamRecord, storedTrack } from "../store/types.ts";
import { PUT_MEDIA_ERROR, type PutMediaAck } from "./ack.ts";
import { IDLE_TIMEOUT, IdleWatch } from "./idle-acks.ts";
import type { MemoryBudget } from "./memory-budget.ts";
import { MinimumRate, type MinimumRateOptions } from "./minimum-rate.ts";
import type { PutMediaRequest } from "./put-media-headers.ts";

/** KVS limits a fragment to 50 MB and 20 seconds. */
export const MAX_FRAGMENT_BYTES = 50 * 1024 * 1024;
export const MAX_FRAGMENT_DURATION_MS = 20_000;

/** The ErrorId for MKV the splitter refused. */
const ERROR_ID_BY_REASON: Readonly<Record<MkvErrorReason, number>> = {
  corrupt: PUT_MEDIA_ERROR.INVALID_MKV_DATA,
  // The body ended inside an element: what arrived of it cannot be parsed as MKV.
  truncated: PUT_MEDIA_ERROR.INVALID_MKV_DATA,
  "too-large": PUT_MEDIA_ERROR.MAX_FRAGMENT_SIZE_REACHED,
};

export interface IngestContext {
  store: FragmentStore;
  stream: StreamRecord;
  request: PutMediaRequest;
  clock: Clock;
  /** IDLE acks while the body is quiet, and when to give a quiet connection up (0 = never). */
  idle: { ackIntervalMs: number; timeoutMs: number };
  /** The bytes all PutMedia connections may hold at once. */
  budget: MemoryBudget;
  /** The data rate a body must keep up (bytesPerSecond 0 = none). */
  minimumRate: MinimumRateOptions;
  sendAck(ack: PutMediaAck): void;
  log(line: string): void;
}

export interface IngestResult {
  persisted: number;
  /** The ErrorId that ended the connection, if one did. */
  errorId?: number;
  /** The producer sent nothing for the idle timeout, so the connection was closed. */
  idleTimedOut?: boolean;
}

class IngestStop extends Error {
  readonly errorId: number;

  constructor(errorId: number) {
    super(`PutMedia stopped with ErrorId ${errorId}`);
    this.errorId = errorId;
  }
}

export async function ingestPutMediaBody(
  body: AsyncIterable<Uint8Array>,
  ctx: IngestContext,
): Promise<IngestResult> {
  const { store, stream, request, clock } = ctx;
  const splitter = new MkvClusterSplitter({ maxClusterBytes: MAX_FRAGMENT_BYTES });
  const ingestionId = store.newIngestionId();
  let header: { headerId: string; timecodeScaleNs: number } | undefined;
  let lastProducerMs = Number.NEGATIVE_INFINITY;
  let persisted = 0;
  /** The Timecode of the Cluster being received, for ERROR acks about it. */
  let currentTimecode: number | undefined;

  const fail = (errorId: number, fragmentTimecode?: number): never => {
    ctx.sendAck({
      EventType: "ERROR",
      ...(fragmentTimecode !== undefined ? { FragmentTimecode: fragmentTimecode } : {}),
      ErrorId: errorId,
    });
    throw new IngestStop(errorId);
  };

  const handle = async (event: SplitterEvent): Promise<void> => {
    if (event.type === "error") {
      ctx.log(`PutMedia ${stream.streamName}: ${event.error.message}`);
      fail(ERROR_ID_BY_REASON[event.reason]);
      return;
    }
    if (event.type === "cluster-start") {
      currentTimecode = event.timecode;
      ctx.sendAck({ EventType: "BUFFERING", FragmentTimecode: event.timecode });
      return;
    }
    if (event.type === "header") {
      const { bytes, tracks, timecodeScaleNs } = event.header;
      if (!store.getStreamByArn(stream.streamArn)) fail(PUT_MEDIA_ERROR.STREAM_NOT_ACTIVE);
      try {
        const headerId = await store.appendHeader(
          stream.streamArn,
          bytes,
          tracks.map(storedTrack),
          timecodeScaleNs,
        );
        // A producer that restarts its MKV mid-connection no longer needs its previous header.
        if (header) store.releaseHeader(header.headerId);
        header = { headerId, timecodeScaleNs };
      } catch (error) {
        ctx.log(`PutMedia ${stream.streamName}: storing the header failed: ${String(error)}`);
        fail(PUT_MEDIA_ERROR.ARCHIVAL_ERROR);
      }
      return;
    }
    const { cluster } = event;
    if (!header) {
      fail(PUT_MEDIA_ERROR.INVALID_MKV_DATA, cluster.timecode);
      return;
    }
    const ticksToMs = header.timecodeScaleNs / 1e6;
    const offsetMs = Math.round(cluster.timecode * ticksToMs);
    const producerTimestampMs =
      request.timecodeType === "ABSOLUTE" ? offsetMs : request.producerStartMs + offsetMs;
    const durationMs = Math.round(cluster.durationTicks * ticksToMs);
    if (!Number.isFinite(producerTimestampMs) || producerTimestampMs < 0) {
      fail(PUT_MEDIA_ERROR.INVALID_PRODUCER_TIMESTAMP, cluster.timecode);
    }
    if (producerTimestampMs < lastProducerMs) {
      fail(PUT_MEDIA_ERROR.FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS, cluster.timecode);
    }
    if (durationMs > MAX_FRAGMENT_DURATION_MS) {
      fail(PUT_MEDIA_ERROR.MAX_FRAGMENT_DURATION_REACHED, cluster.timecode);
    }
    lastProducerMs = producerTimestampMs;
    const serverTimestampMs = clock.now();
    ctx.sendAck({ EventType: "RECEIVED", FragmentTimecode: cluster.timecode });
    try {
      const record = await store.appendFragment(
        stream.streamArn,
        {
          headerId: header.headerId,
          clusterBytes: cluster.bytes,
          producerTimestampMs,
          serverTimestampMs,
          durationMs,
          clusterTimecode: cluster.timecode,
          blockCount: cluster.blockCount,
          keyframeCount: cluster.keyframeCount,
          ingestionId,
        },
        serverTimestampMs,
      );
      persisted++;
      ctx.sendAck({
        EventType: "PERSISTED",
        FragmentTimecode: cluster.timecode,
        FragmentNumber: record.fragmentNumber,
      });
    } catch (error) {
      if (error instanceof StreamGoneError)
        fail(PUT_MEDIA_ERROR.STREAM_NOT_ACTIVE, cluster.timecode);
      ctx.log(`PutMedia ${stream.streamName}: storing a fragment failed: ${String(error)}`);
      fail(PUT_MEDIA_ERROR.ARCHIVAL_ERROR, cluster.timecode);
    }
  };

  const chunks = body[Symbol.asyncIterator]();
  const share = ctx.budget.open();
  const rate = new MinimumRate(ctx.minimumRate, performance.now());
  const idle = new IdleWatch({
    ...ctx.idle,
    sendIdle: () => ctx.sendAck({ EventType: "IDLE" }),
  });
  try {
    try {
      while (true) {
        const next = await idle.wait(chunks.next());
        if (next === IDLE_TIMEOUT) {
          // A read is still pending, so the body cannot be detached: the socket is closed.
          ctx.log(`PutMedia ${stream.streamName}: no data for ${ctx.idle.timeoutMs} ms, closing`);
          return { persisted, idleTimedOut: true };
        }
        if (next.done) break;
        const chunk = next.value;
        if (!rate.record(chunk.length, performance.now())) {
          ctx.log(`PutMedia ${stream.streamName}: body slower than the minimum rate, closing`);
          fail(PUT_MEDIA_ERROR.STREAM_READ_ERROR, currentTimecode);
        }
        // The splitter keeps the chunk until its Cluster is complete: it must fit the budget.
        if (!share.resize(splitter.bufferedBytes + chunk.length)) {
          ctx.log(
            `PutMedia ${stream.streamName}: the PutMedia memory budget (${ctx.budget.limitBytes} bytes) is used up`,
          );
          fail(PUT_MEDIA_ERROR.INTERNAL_ERROR, currentTimecode);
        }
        const events = splitter.push(chunk);
        // A finished Cluster is copied out of the retained chunks, which are then let go: held
        // until stored, it stays within what was just reserved.
        let copies = 0;
        for (const event of events) {
          if (event.type === "cluster") copies += event.cluster.bytes.length;
          else if (event.type === "header") copies += event.header.bytes.length;
        }
        share.resize(splitter.bufferedBytes + copies);
        for (const event of events) await handle(event);
        share.resize(splitter.bufferedBytes);
      }
    } catch (error) {
      if (error instanceof IngestStop) {
        // Detach from the body (without destroying it) so the rest can be drained after the ack.
        await chunks.return?.();
        throw error;
      }
      // The producer went away mid-body: what was persisted stays, nobody is left to ack.
      return { persisted, errorId: PUT_MEDIA_ERROR.STREAM_READ_ERROR };
    }
    for (const event of splitter.end()) await handle(event);
    return { persisted };
  } catch (error) {
    if (error instanceof IngestStop) return { persisted, errorId: error.errorId };
    throw error;
  } finally {
    share.close();
    idle.close();
    if (header) store.releaseHeader(header.headerId);
  }
}
