import {
  GetDataEndpointCommand,
  type KinesisVideoClient,
  ListStreamsCommand,
} from "@aws-sdk/client-kinesis-video";
import { GetMediaCommand, type KinesisVideoMediaClient } from "@aws-sdk/client-kinesis-video-media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalKvs } from "../../src/local-kvs/index.ts";
import { controlPlane, mediaClient, openGetMedia, startLocalKvs } from "../support/kvs-local.ts";
import { fragmentNumberOf, kvsTags, splitGetMedia } from "../support/mkv.ts";
import { ingestFixture } from "../support/seed.ts";

const fromNow = (StreamName: string) => ({
  StreamName,
  StartSelector: { StartSelectorType: "NOW" as const },
});

describe("fault injection and documented limits", () => {
  let kvs: LocalKvs;
  let cp: KinesisVideoClient;
  let media: KinesisVideoMediaClient;
  let numbers: string[];
  const now = { ms: Date.now() };

  beforeAll(async () => {
    kvs = await startLocalKvs(["faulty"], {
      dataRetentionInHours: 1,
      clock: { now: () => now.ms },
      getMediaRatePerSecond: 4,
    });
    cp = controlPlane(kvs.endpoint);
    ({ numbers } = await ingestFixture(kvs.endpoint, "faulty", "clusters.mkv"));
    media = await mediaClient(kvs.endpoint, "faulty");
  });
  afterAll(async () => {
    cp?.destroy();
    media?.destroy();
    await kvs?.stop();
  });

  it("injects an exception once, counted like any request", async () => {
    kvs.stats.reset();
    kvs.faults.inject("GetDataEndpoint", {
      kind: "exception",
      exception: "ClientLimitExceededException",
    });
    const input = { StreamName: "faulty", APIName: "GET_MEDIA" as const };
    await expect(cp.send(new GetDataEndpointCommand(input))).rejects.toMatchObject({
      name: "ClientLimitExceededException",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(cp.send(new GetDataEndpointCommand(input))).resolves.toMatchObject({
      DataEndpoint: kvs.endpoint,
    });
    expect(kvs.stats.count("GetDataEndpoint")).toBe(2);
  });

  it("injects a 5xx that the SDK's retry absorbs", async () => {
    kvs.stats.reset();
    kvs.faults.inject("ListStreams", { kind: "status", status: 503, times: 2 });
    const retrying = controlPlane(kvs.endpoint, 3);
    const out = await retrying.send(new ListStreamsCommand({}));
    retrying.destroy();
    expect(out.StreamInfoList?.map((s) => s.StreamName)).toEqual(["faulty"]);
    expect(kvs.stats.count("ListStreams")).toBe(3);
  });

  it("drops a GetMedia response after N bytes", async () => {
    now.ms += 1000;
    kvs.faults.inject("GetMedia", { kind: "drop-after-bytes", bytes: 5000 });
    const out = await media.send(
      new GetMediaCommand({
        StreamName: "faulty",
        StartSelector: { StartSelectorType: "EARLIEST" },
      }),
    );
    let received = 0;
    let failed = false;
    try {
      for await (const chunk of out.Payload as unknown as AsyncIterable<Uint8Array>) {
        received += chunk.length;
      }
    } catch {
      failed = true;
    }
    expect(received).toBe(5000);
    expect(failed).toBe(true);
  });

  it("answers after an added delay", async () => {
    kvs.faults.inject("ListStreams", { kind: "delay", ms: 300 });
    const started = performance.now();
    const out = await cp.send(new ListStreamsCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(out.StreamInfoList?.map((s) => s.StreamName)).toEqual(["faulty"]);
    // Consumed: the next call is not delayed.
    const again = performance.now();
    await cp.send(new ListStreamsCommand({}));
    expect(performance.now() - again).toBeLessThan(290);
  });

  it("stalls a GetMedia response after N bytes, then goes on", async () => {
    now.ms += 1000;
    kvs.faults.inject("GetMedia", { kind: "stall-after-bytes", bytes: 5000, ms: 600 });
    const abort = new AbortController();
    const out = await media.send(
      new GetMediaCommand({
        StreamName: "faulty",
        StartSelector: { StartSelectorType: "EARLIEST" },
      }),
      { abortSignal: abort.signal },
    );
    let received = 0;
    let last = performance.now();
    const gaps: Array<{ at: number; ms: number }> = [];
    try {
      for await (const chunk of out.Payload as unknown as AsyncIterable<Uint8Array>) {
        const at = performance.now();
        gaps.push({ at: received, ms: at - last });
        last = at;
        received += chunk.length;
        if (received > 20_000) abort.abort();
      }
    } catch {
      // aborted by us
    }
    const longest = gaps.reduce((a, b) => (b.ms > a.ms ? b : a));
    expect(longest.at).toBe(5000);
    expect(longest.ms).toBeGreaterThanOrEqual(550);
    expect(received).toBeGreaterThan(20_000);
  });

  it("ends GetMedia with ERROR_CODE / ERROR_ID tags after N fragments", async () => {
    now.ms += 1000;
    kvs.faults.inject("GetMedia", { kind: "media-error", errorId: 4000, afterFragments: 2 });
    const out = await media.send(
      new GetMediaCommand({
        StreamName: "faulty",
        StartSelector: { StartSelectorType: "EARLIEST" },
      }),
    );
    const chunks: Uint8Array[] = [];
    for await (const chunk of out.Payload as unknown as AsyncIterable<Uint8Array>)
      chunks.push(chunk);
    const docs = splitGetMedia(new Uint8Array(Buffer.concat(chunks)));
    expect(docs).toHaveLength(3);
    expect(docs.slice(0, 2).map(fragmentNumberOf)).toEqual(numbers.slice(0, 2));
    const error = kvsTags(docs[2] as (typeof docs)[0]);
    expect(error.get("AWS_KINESISVIDEO_ERROR_ID")).toBe("4000");
    expect(error.get("AWS_KINESISVIDEO_ERROR_CODE")).toBeTruthy();
    expect(error.get("AWS_KINESISVIDEO_FRAGMENT_NUMBER")).toBe(numbers[2]);
    expect(error.has("AWS_KINESISVIDEO_SERVER_TIMESTAMP")).toBe(false);
  });

  it("throttles GetMedia calls per stream per second with ClientLimitExceededException", async () => {
    now.ms += 1000;
    const sessions = [];
    for (let i = 0; i < 3; i++) {
      sessions.push(await openGetMedia(media, fromNow("faulty")));
    }
    // 4 per second allowed: the 4th call passes the rate but exceeds 3 connections.
    await expect(media.send(new GetMediaCommand(fromNow("faulty")))).rejects.toMatchObject({
      name: "ConnectionLimitExceededException",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(media.send(new GetMediaCommand(fromNow("faulty")))).rejects.toMatchObject({
      name: "ClientLimitExceededException",
    });

    // Closing a connection frees its slot.
    sessions.pop()?.close();
    now.ms += 1000;
    let reopened: Awaited<ReturnType<typeof openGetMedia>> | undefined;
    // The server frees the slot once it sees the socket close: allow a loaded machine seconds.
    const deadline = Date.now() + 15_000;
    while (!reopened && Date.now() < deadline) {
      try {
        reopened = await openGetMedia(media, fromNow("faulty"));
      } catch (error) {
        expect((error as Error).name).toBe("ConnectionLimitExceededException");
        now.ms += 1000;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    expect(reopened).toBeDefined();
    reopened?.close();
    for (const s of sessions) s.close();
  });
});

describe("GetMedia connection limit is configurable", () => {
  it("lets more than 3 readers share a stream when raised", async () => {
    const kvs = await startLocalKvs(["wide"], {
      dataRetentionInHours: 0,
      getMediaConnectionLimit: 10,
      getMediaRatePerSecond: 0,
    });
    const media = await mediaClient(kvs.endpoint, "wide");
    try {
      const sessions = [];
      for (let i = 0; i < 6; i++) {
        sessions.push(await openGetMedia(media, fromNow("wide")));
      }
      expect(sessions).toHaveLength(6);
      for (const s of sessions) s.close();
    } finally {
      media.destroy();
      await kvs.stop();
    }
  });
});
