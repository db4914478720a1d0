// KVS ends every GetMedia session after 40-45 minutes; kvs-local does the same after
// `getMediaSessionMaxSeconds` (here a few seconds): the response ends cleanly after a whole
// fragment, and a consumer that reconnects with the last continuation token misses nothing.

import {
  GetMediaCommand,
  type GetMediaCommandInput,
  type KinesisVideoMediaClient,
} from "@aws-sdk/client-kinesis-video-media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../../src/local-kvs/clock.ts";
import { createLocalKvs, DEMO_STREAM_NAME, type LocalKvs } from "../../../src/local-kvs/index.ts";
import { runGetMediaSession } from "../../../src/local-kvs/media/get-media-session.ts";
import type { MediaSink } from "../../../src/local-kvs/server/context.ts";
import {
  createStreams,
  type LocalKvsProcess,
  mediaClient,
  spawnLocalKvs,
  startLocalKvs,
  stopLocalKvsProcess,
} from "../../support/kvs-local.ts";
import {
  fragmentNumberOf,
  type GetMediaDocument,
  kvsTags,
  splitGetMedia,
} from "../../support/mkv.ts";
import { ingestFixture } from "../../support/seed.ts";
import { waitFor } from "../../support/wait.ts";

const CAP_SECONDS = 2;

/** One GetMedia response through the SDK, read until the server ends it. */
async function readWholeSession(
  client: KinesisVideoMediaClient,
  input: GetMediaCommandInput,
  timeoutMs = 15_000,
): Promise<{ body: Uint8Array; elapsedMs: number }> {
  const startedAt = Date.now();
  const output = await client.send(new GetMediaCommand(input), {
    abortSignal: AbortSignal.timeout(timeoutMs),
  });
  const chunks: Uint8Array[] = [];
  for await (const chunk of output.Payload as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return { body: new Uint8Array(Buffer.concat(chunks)), elapsedMs: Date.now() - startedAt };
}

/** Every document whole (splitGetMedia throws on a cut-off one), each with its closing tags. */
function completeDocuments(body: Uint8Array): GetMediaDocument[] {
  const docs = splitGetMedia(body);
  expect(docs.reduce((total, doc) => total + doc.bytes.length, 0)).toBe(body.length);
  for (const doc of docs) {
    const tags = kvsTags(doc);
    expect(tags.get("AWS_KINESISVIDEO_CONTINUATION_TOKEN")).toBe(fragmentNumberOf(doc));
    expect(tags.has("AWS_KINESISVIDEO_MILLIS_BEHIND_NOW")).toBe(true);
    expect(doc.cluster).toBeDefined();
  }
  return docs;
}

describe("GetMedia session length cap", () => {
  let kvs: LocalKvs;
  let demo: KinesisVideoMediaClient;

  beforeAll(async () => {
    kvs = await startLocalKvs(["idle"], {
      dataRetentionInHours: 0,
      demoStream: true,
      getMediaSessionMaxSeconds: CAP_SECONDS,
      getMediaRatePerSecond: 0,
    });
    demo = await mediaClient(kvs.endpoint, DEMO_STREAM_NAME);
  });
  afterAll(async () => {
    demo?.destroy();
    await kvs?.stop();
  });

  it("ends a live session after a whole fragment; the continuation token resumes it gaplessly", async () => {
    const arn = kvs.store.getStreamByName(DEMO_STREAM_NAME)?.streamArn ?? "";
    await waitFor(() => kvs.store.latestFragment(arn) !== undefined, 10_000, "the demo camera");

    const first = await readWholeSession(demo, {
      StreamName: DEMO_STREAM_NAME,
      StartSelector: { StartSelectorType: "NOW" },
    });
    // Ended by the cap: not before it, and not much after (the camera sends a fragment a second).
    expect(first.elapsedMs).toBeGreaterThanOrEqual(CAP_SECONDS * 1000 - 50);
    expect(first.elapsedMs).toBeLessThan(CAP_SECONDS * 1000 + 4000);
    const firstNumbers = completeDocuments(first.body).map(fragmentNumberOf);
    expect(firstNumbers.length).toBeGreaterThanOrEqual(1);

    const token = firstNumbers.at(-1) ?? "";
    const second = await readWholeSession(demo, {
      StreamARN: arn,
      StartSelector: { StartSelectorType: "CONTINUATION_TOKEN", ContinuationToken: token },
    });
    expect(second.elapsedMs).toBeGreaterThanOrEqual(CAP_SECONDS * 1000 - 50);
    const secondNumbers = completeDocuments(second.body).map(fragmentNumberOf);
    expect(secondNumbers.length).toBeGreaterThanOrEqual(1);

    // Together they are a run of the stored fragments: nothing skipped, nothing sent twice.
    const stored = kvs.store.listFragments(arn).map((f) => f.fragmentNumber);
    const from = stored.indexOf(firstNumbers[0] ?? "");
    const received = [...firstNumbers, ...secondNumbers];
    expect(from).toBeGreaterThanOrEqual(0);
    expect(received).toEqual(stored.slice(from, from + received.length));
  });

  it("ends an idle session cleanly with an empty body", async () => {
    const client = await mediaClient(kvs.endpoint, "idle");
    try {
      const idle = await readWholeSession(client, {
        StreamName: "idle",
        StartSelector: { StartSelectorType: "NOW" },
      });
      expect(idle.body.length).toBe(0);
      expect(idle.elapsedMs).toBeGreaterThanOrEqual(CAP_SECONDS * 1000 - 50);
    } finally {
      client.destroy();
    }
  });

  it("finishes the fragment it is writing when the session runs out", async () => {
    await createStreams(kvs.endpoint, ["stored"], { dataRetentionInHours: 0 });
    const { numbers } = await ingestFixture(kvs.endpoint, "stored", "clusters.mkv");
    const arn = kvs.store.getStreamByName("stored")?.streamArn ?? "";
    expect(numbers.length).toBe(8);

    // A fragment goes out in four writes (header, tags, Cluster, closing tags). Run out in the
    // middle of the first fragment, then in the middle of the second.
    for (const [runOutAtWrite, expected] of [
      [2, 1],
      [6, 2],
    ] as const) {
      const sessionEnd = new AbortController();
      const sink = recordingSink((writes) => {
        if (writes === runOutAtWrite) sessionEnd.abort();
      });
      await runGetMediaSession({
        store: kvs.store,
        streamArn: arn,
        start: { kind: "after", fragmentNumber: "" },
        sink,
        clock: systemClock,
        signal: new AbortController().signal,
        sessionEnd: sessionEnd.signal,
      });
      expect(sink.ended).toBe(true);
      const docs = completeDocuments(new Uint8Array(Buffer.concat(sink.chunks)));
      expect(docs.map(fragmentNumberOf)).toEqual(numbers.slice(0, expected));
    }
  });

  it("rejects a negative cap", async () => {
    await expect(createLocalKvs({ inMemory: true, getMediaSessionMaxSeconds: -1 })).rejects.toThrow(
      RangeError,
    );
  });
});

function recordingSink(
  onWrite: (writes: number) => void,
): MediaSink & { chunks: Uint8Array[]; ended: boolean } {
  const chunks: Uint8Array[] = [];
  let ended = false;
  return {
    chunks,
    get ended() {
      return ended;
    },
    get closed() {
      return ended;
    },
    get bytesWritten() {
      return chunks.reduce((total, chunk) => total + chunk.length, 0);
    },
    async write(chunk) {
      chunks.push(chunk);
      onWrite(chunks.length);
      // Yield like a socket would, so the session's end signal lands mid-fragment.
      await new Promise((resolve) => setImmediate(resolve));
      return true;
    },
    async end() {
      ended = true;
    },
  };
}

describe("kvs-local CLI --get-media-session-max-seconds", () => {
  let server: LocalKvsProcess | undefined;
  afterAll(async () => {
    if (server) await stopLocalKvsProcess(server);
  });

  it("caps GetMedia sessions of the standalone server", async () => {
    server = await spawnLocalKvs(["--in-memory", "--get-media-session-max-seconds", "1"]);
    const { endpoint } = server;
    await createStreams(endpoint, ["cli-idle"], { dataRetentionInHours: 0 });
    const client = await mediaClient(endpoint, "cli-idle");
    try {
      const session = await readWholeSession(client, {
        StreamName: "cli-idle",
        StartSelector: { StartSelectorType: "NOW" },
      });
      expect(session.body.length).toBe(0);
      expect(session.elapsedMs).toBeGreaterThanOrEqual(950);
      expect(session.elapsedMs).toBeLessThan(10_000);
    } finally {
      client.destroy();
    }
  });
});
