// Clip ranges signed over their fragments' bounds: one query asking for 200 clips a millisecond
// apart gets a few distinct links (one per distinct set of fragments), downloading all 200 at once
// costs one GetClip per distinct link with no 429, and another clip's download started meanwhile
// is not held up behind them.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMBEDDED_SECURITY_DEFAULTS } from "../../../src/gateway/security/settings.ts";
import { download } from "../../support/clips.ts";
import { makeTestVideo } from "../../support/media.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { fillStream } from "../../support/seed.ts";
import { type Stack, startStack } from "../../support/stack.ts";

const STREAM = "snapped";
const ALIASES = 200;
/** Two hours ago: settled clips, kept by the cache. */
const T0 = Math.floor((Date.now() - 2 * 3_600_000) / 1000) * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

let directory: string;
let stack: Stack;

beforeAll(async () => {
  directory = await scratchDirectory("clip-snapping-");
  const video = await makeTestVideo(directory, { seconds: 20, fps: 5 });
  stack = await startStack({
    // GetClip at KVS's own 1 per second per stream, at the backend and the governor.
    kvs: { getClipRatePerSecond: 1 },
    gateway: {
      clips: { getClipRatePerSecond: 1 },
      security: {
        ...EMBEDDED_SECURITY_DEFAULTS,
        documentLimits: {
          ...EMBEDDED_SECURITY_DEFAULTS.documentLimits,
          maxAliases: ALIASES,
          maxTokens: 50_000,
          maxBytes: 256 * 1024,
        },
        complexity: { complexity: 10_000_000, depth: 16, breadth: 10 * ALIASES },
      },
    },
  });
  await fillStream(stack.kvs.endpoint, STREAM, video.bytes, T0);
});

afterAll(async () => {
  await stack?.stop();
  await removeScratchDirectory(directory);
});

async function clipUrls(): Promise<string[]> {
  const fields = Array.from({ length: ALIASES }, (_, i) => {
    const range = `{ start: "${iso(T0 + i)}", end: "${iso(T0 + 3000 + i)}" }`;
    return `c${i}: clip(name: "${STREAM}", range: ${range}, timestampType: PRODUCER_TIMESTAMP) { __typename ... on Clip { url parts { url } } ... on KvsError { code message } }`;
  });
  const response = await fetch(stack.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: `{ ${fields.join("\n")} }` }),
  });
  const result = (await response.json()) as {
    data?: Record<string, { __typename: string; url?: string; parts?: { url: string }[] }>;
    errors?: unknown;
  };
  expect(result.errors).toBeUndefined();
  return Array.from({ length: ALIASES }, (_, i) => {
    const clip = result.data?.[`c${i}`];
    if (clip?.url === undefined) throw new Error(`alias c${i}: ${JSON.stringify(clip)}`);
    // One GetClip's worth: the clip's URL is its one part's.
    expect(clip.parts?.map((part) => part.url)).toEqual([clip.url]);
    return clip.url;
  });
}

describe("clip links of ranges a millisecond apart", () => {
  it("collapse to one link per set of fragments, downloaded with one GetClip each", async () => {
    const urls = await clipUrls();
    const distinct = [...new Set(urls)];
    // Fragments start every second: [T0, T0+3 s] holds the one at T0, the later ranges don't.
    expect(distinct.length).toBe(2);
    expect(urls.filter((url) => url === urls[0]).length).toBe(1);

    const before = stack.kvs.stats.count("GetClip");
    const all = Promise.all(urls.map((url) => download(url)));
    // A clip nobody else asked for, two seconds into the burst: it waits for at most the
    // governor's turn of the few distinct GetClips, not behind 200 downloads.
    const probe = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const started = Date.now();
      const [url] = await (async () => {
        const field = `clip(name: "${STREAM}", range: { start: "${iso(T0 + 10_000)}", end: "${iso(T0 + 13_000)}" }, timestampType: PRODUCER_TIMESTAMP) { ... on Clip { url } }`;
        const response = await fetch(stack.graphqlUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: `{ ${field} }` }),
        });
        const body = (await response.json()) as { data: { clip: { url: string } } };
        return [body.data.clip.url];
      })();
      const response = await download(url ?? "");
      return { status: response.status, ms: Date.now() - started };
    })();
    const responses = await all;
    expect(responses.map((r) => r.status)).toEqual(Array(ALIASES).fill(200));
    for (const [i, response] of responses.entries()) {
      expect(response.body.subarray(4, 8).toString(), `download ${i}`).toBe("ftyp");
    }
    const probed = await probe;
    expect(probed.status).toBe(200);
    expect(probed.ms).toBeLessThan(5000);
    expect(stack.kvs.stats.count("GetClip") - before).toBe(distinct.length + 1);
  }, 120_000);
});
