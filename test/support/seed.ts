// Media put into kvs-local the way producers do it, through PutMedia on the PUT_MEDIA data
// endpoint: whole files (fixtures, built MKVs, ffmpeg test videos) and a live producer that sends
// a fragment on demand. Setup talks to kvs-local directly (not through the gateway), so it adds
// nothing to the gateway-side GetDataEndpoint counts.

import { withClusterTimecode } from "../../src/local-kvs/demo/cluster-timecode.ts";
import { loadDemoClip } from "../../src/local-kvs/demo/demo-sample.ts";
import type { LocalKvs } from "../../src/local-kvs/index.ts";
import { type PutMediaAck, putMedia } from "../../src/local-kvs/producer/put-media-client.ts";
import { fixture } from "./fixtures.ts";
import { createStreams, dataEndpoint } from "./kvs-local.ts";

export interface IngestOptions {
  /** Default RELATIVE: cluster timecodes count from `producerStartTimestampMs`. */
  timecodeType?: "ABSOLUTE" | "RELATIVE";
  /** Default now. */
  producerStartTimestampMs?: number;
}

/** PutMedia of a whole file through the PUT_MEDIA data endpoint; returns every ack. */
export async function ingest(
  endpoint: string,
  streamName: string,
  body: Uint8Array,
  options: IngestOptions = {},
): Promise<PutMediaAck[]> {
  const session = putMedia({
    endpoint: await dataEndpoint(endpoint, streamName, "PUT_MEDIA"),
    streamName,
    body,
    timecodeType: options.timecodeType ?? "RELATIVE",
    producerStartTimestampMs: options.producerStartTimestampMs ?? Date.now(),
  });
  const acks: PutMediaAck[] = [];
  for await (const ack of session.acks) acks.push(ack);
  await session.done;
  return acks;
}

export const persistedNumbers = (acks: readonly PutMediaAck[]): string[] =>
  acks.filter((a) => a.EventType === "PERSISTED").map((a) => a.FragmentNumber as string);

export interface IngestedFixture {
  file: Uint8Array;
  acks: PutMediaAck[];
  /** Fragment numbers of the PERSISTED acks, in order. */
  numbers: string[];
}

/** PutMedia of a whole fixture file (see `ingest` for the options); every ack is returned. */
export async function ingestFixture(
  endpoint: string,
  streamName: string,
  fixtureName: string,
  options?: IngestOptions,
): Promise<IngestedFixture> {
  const file = fixture(fixtureName);
  const acks = await ingest(endpoint, streamName, file, options);
  return { file, acks, numbers: persistedNumbers(acks) };
}

/**
 * PutMedia with RELATIVE timecodes from `producerStartMs` that must succeed: throws on any ERROR
 * ack, else returns the persisted fragment numbers.
 */
export async function ingestAt(
  endpoint: string,
  streamName: string,
  mkv: Uint8Array,
  producerStartMs: number,
): Promise<string[]> {
  const acks = await ingest(endpoint, streamName, mkv, {
    timecodeType: "RELATIVE",
    producerStartTimestampMs: producerStartMs,
  });
  const errors = acks.filter((a) => a.EventType === "ERROR");
  if (errors.length > 0) throw new Error(`PutMedia errors: ${JSON.stringify(errors)}`);
  return persistedNumbers(acks);
}

/**
 * Creates `streamName` (24 h retention) and PutMedias `mkv` with producer timestamps from
 * `startMs`; returns how many fragments were persisted.
 */
export async function fillStream(
  endpoint: string,
  streamName: string,
  mkv: Uint8Array,
  startMs: number,
): Promise<number> {
  await createStreams(endpoint, [streamName]);
  return (await ingestAt(endpoint, streamName, mkv, startMs)).length;
}

export interface PushableBody {
  /** The PutMedia body: the pushed pieces in order, ending after `end`. */
  body: AsyncGenerator<Uint8Array>;
  push(bytes: Uint8Array): void;
  end(): void;
}

/** A PutMedia body that the test sends piece by piece while the connection stays open. */
export function pushableBody(): PushableBody {
  const queue: Uint8Array[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  async function* body(): AsyncGenerator<Uint8Array> {
    while (true) {
      const next = queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  }
  return {
    body: body(),
    push(bytes) {
      queue.push(bytes);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
  };
}

export interface LiveProducer {
  /** Sends `count` fragments; resolves with their fragment numbers once all are PERSISTED. */
  send(count: number): Promise<string[]>;
  /** Every fragment number persisted so far, in order. */
  readonly persisted: readonly string[];
  /** The stream's ARN. */
  readonly arn: string;
  stop(): Promise<void>;
}

/** Creates `streamName` and opens a PutMedia connection that sends a Cluster per `send`. */
export async function startLiveProducer(kvs: LocalKvs, streamName: string): Promise<LiveProducer> {
  const [arn] = await createStreams(kvs.endpoint, [streamName]);
  if (!arn) throw new Error(`CreateStream ${streamName} returned no ARN`);
  const clip = await loadDemoClip();
  const ticksPerMs = 1e6 / clip.timecodeScaleNs;
  const pushed = pushableBody();
  pushed.push(clip.header);
  let sent = 0;
  // Capture times in the recent past, one loop of the clip after another.
  const baseMs = Date.now() - 60_000;

  const abort = new AbortController();
  // Straight to kvs-local's own endpoint (it serves PutMedia there): no GetDataEndpoint call, so
  // a test that counts GetDataEndpoint calls or injects faults into them is not disturbed.
  const session = putMedia({
    endpoint: kvs.endpoint,
    streamName,
    body: pushed.body,
    timecodeType: "ABSOLUTE",
    producerStartTimestampMs: baseMs,
    signal: abort.signal,
  });
  const persisted: string[] = [];
  const waiters: Array<{ count: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  const settle = () => {
    for (const waiter of [...waiters]) {
      if (persisted.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const acks = (async () => {
    for await (const ack of session.acks) {
      if (ack.EventType === "ERROR") throw new Error(`PutMedia ERROR ${JSON.stringify(ack)}`);
      if (ack.EventType === "PERSISTED" && ack.FragmentNumber) {
        persisted.push(ack.FragmentNumber);
        settle();
      }
    }
  })().catch((error: unknown) => {
    for (const waiter of waiters.splice(0)) waiter.reject(error);
  });

  return {
    persisted,
    arn,
    async send(count) {
      const from = persisted.length;
      const target = sent + count;
      for (; sent < target; sent++) {
        const index = sent % clip.clusters.length;
        const loop = Math.floor(sent / clip.clusters.length);
        const cluster = clip.clusters[index];
        if (!cluster) throw new Error("the demo clip has no clusters");
        const captureMs = baseMs + loop * clip.loopMs + cluster.offsetMs;
        pushed.push(withClusterTimecode(cluster.bytes, Math.round(captureMs * ticksPerMs)));
      }
      await new Promise<void>((resolve, reject) => {
        waiters.push({ count: target, resolve, reject });
        settle();
      });
      return persisted.slice(from, target);
    },
    async stop() {
      pushed.end();
      await Promise.race([session.done.catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
      abort.abort();
      await acks;
    },
  };
}
