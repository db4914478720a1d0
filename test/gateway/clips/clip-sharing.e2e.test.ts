// One upstream GetClip for many downloads of one clip; GetClip calls of one stream paced by the
// governor so the backend's per-stream limit never reaches a client under the queue bound.

import { createHash } from "node:crypto";
import { GetClipCommand } from "@aws-sdk/client-kinesis-video-archived-media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PRINCIPAL_LIMITS } from "../../../src/gateway/security/principal-limits.ts";
import { EMBEDDED_SECURITY_DEFAULTS } from "../../../src/gateway/security/settings.ts";
import { download } from "../../support/clips.ts";
import { executeHttp } from "../../support/graphql.ts";
import { archivedMedia } from "../../support/kvs-local.ts";
import { makeTestVideo } from "../../support/media.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { fillStream } from "../../support/seed.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { ClipQuery } from "./documents.ts";

const STREAM = "shared";
const RATE = 2; // GetClip per second per stream, at the backend and at the governor
const QUEUE = 3;
/** Two hours ago: clips there are settled (immutable) for the cache. */
const T0 = Math.floor((Date.now() - 2 * 3_600_000) / 1000) * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

let directory: string;
let stack: Stack;

beforeAll(async () => {
  directory = await scratchDirectory("clip-sharing-");
  const video = await makeTestVideo(directory, { seconds: 40, fps: 5 });
  stack = await startStack({
    kvs: { getClipRatePerSecond: RATE },
    gateway: {
      clips: { getClipRatePerSecond: RATE, queuePerStream: QUEUE },
      // One client fills the stream's GetClip queue here: the governor is the subject, not the
      // per-principal download cap (principal-limits.e2e.test.ts).
      security: {
        ...EMBEDDED_SECURITY_DEFAULTS,
        principalLimits: { ...DEFAULT_PRINCIPAL_LIMITS, maxConcurrentDownloads: 10_000 },
      },
    },
  });
  await fillStream(stack.kvs.endpoint, STREAM, video.bytes, T0);
});

afterAll(async () => {
  await stack?.stop();
  await removeScratchDirectory(directory);
});

async function clipUrl(startSecond: number, seconds = 3): Promise<string> {
  const result = await executeHttp(stack.graphqlUrl, ClipQuery, {
    name: STREAM,
    range: { start: iso(T0 + startSecond * 1000), end: iso(T0 + (startSecond + seconds) * 1000) },
    timestampType: "PRODUCER_TIMESTAMP",
  });
  const clip = result.data?.clip;
  if (clip?.__typename !== "Clip")
    throw new Error(`expected a Clip, got ${JSON.stringify(result)}`);
  return clip.url;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("clip downloads of one stream", () => {
  it("serve 100 concurrent downloads of a past clip with one upstream GetClip, then from the cache", async () => {
    const url = await clipUrl(0, 10);
    const before = stack.kvs.stats.count("GetClip");
    const downloads = await Promise.all(Array.from({ length: 100 }, () => download(url)));
    expect(downloads.map((d) => d.status)).toEqual(Array(100).fill(200));
    const hashes = new Set(downloads.map((d) => sha256(d.body)));
    expect(hashes.size).toBe(1);
    expect(downloads[0]?.body.subarray(4, 8).toString()).toBe("ftyp");
    expect(stack.kvs.stats.count("GetClip") - before).toBe(1);

    const later = await download(url);
    expect(later.headers.get("x-clip-source")).toBe("cache");
    expect(Number(later.headers.get("content-length"))).toBe(later.body.byteLength);
    expect(sha256(later.body)).toBe([...hashes][0]);
    expect(stack.kvs.stats.count("GetClip") - before).toBe(1);
  });

  it("would be throttled by the backend without the governor", async () => {
    const client = await archivedMedia(stack.kvs.endpoint, STREAM, "GET_CLIP");
    try {
      const burst = await Promise.allSettled(
        [11, 14, 17, 20].map(async (second) => {
          const output = await client.send(
            new GetClipCommand({
              StreamName: STREAM,
              ClipFragmentSelector: {
                FragmentSelectorType: "PRODUCER_TIMESTAMP",
                TimestampRange: {
                  StartTimestamp: new Date(T0 + second * 1000),
                  EndTimestamp: new Date(T0 + (second + 2) * 1000),
                },
              },
            }),
          );
          await output.Payload?.transformToByteArray();
        }),
      );
      const throttled = burst.filter(
        (r) =>
          r.status === "rejected" && (r.reason as Error).name === "ClientLimitExceededException",
      );
      expect(throttled.length).toBeGreaterThanOrEqual(4 - RATE);
    } finally {
      client.destroy();
    }
    // Let the backend's one-second window pass before the governed downloads.
    await new Promise((resolve) => setTimeout(resolve, 1100));
  });

  it("space different clips' GetClips to the rate; none within the queue bound meets ClientLimitExceeded", async () => {
    const urls = await Promise.all([20, 23, 26, 29].map((second) => clipUrl(second)));
    const started = Date.now();
    const arrivals: number[] = [];
    const downloads = await Promise.all(
      urls.map(async (url) => {
        const response = await fetch(url);
        arrivals.push(Date.now() - started);
        return { status: response.status, body: await response.text() };
      }),
    );
    expect(downloads.map((d) => d.status)).toEqual([200, 200, 200, 200]);
    arrivals.sort((a, b) => a - b);
    // Four calls at 2 per second start at 0, 0.5, 1 and 1.5 s (give or take scheduling).
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(
      (3 * 1000) / RATE - 150,
    );
  });

  it("answer ClientLimitExceeded (429) at once past the queue bound, without calling upstream for them", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000 / RATE));
    const urls = await Promise.all(
      [1, 4, 7, 10, 13, 16, 19, 22].map((second) => clipUrl(second, 2)),
    );
    const before = stack.kvs.stats.count("GetClip");
    const responses = await Promise.all(urls.map((url) => download(url)));
    const statuses = responses.map((r) => r.status).sort();
    // One call starts at once and QUEUE wait their turn; the rest are refused.
    expect(statuses).toEqual([...Array(1 + QUEUE).fill(200), ...Array(8 - 1 - QUEUE).fill(429)]);
    const refused = responses.filter((r) => r.status === 429);
    for (const response of refused) {
      expect(response.headers.get("retry-after")).toBe("1");
      expect(JSON.parse(response.body.toString())).toMatchObject({
        error: "ClientLimitExceededException",
        retryable: true,
      });
    }
    expect(stack.kvs.stats.count("GetClip") - before).toBeGreaterThanOrEqual(1 + QUEUE);
  });
});
