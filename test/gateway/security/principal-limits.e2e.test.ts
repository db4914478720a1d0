// Fair shares per principal through the real server: a loop of operations by one API key is
// refused (429 + Retry-After over HTTP, the operation's error over graphql-ws) while another key
// is still served; KVS calls are counted over time across operations; concurrent clip downloads
// are capped per holder of the signed URL.

import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { clipDownloadUrl } from "../../../src/gateway/clip-download-route.ts";
import { metricsRegistry } from "../../../src/gateway/observability/metrics.ts";
import { urlHolder } from "../../../src/gateway/security/principal-limits.ts";
import { createStreams } from "../../support/kvs-local.ts";
import { makeTestVideo } from "../../support/media.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { ingestAt } from "../../support/seed.ts";
import { apiKeySecurity, type Stack, startStack } from "../../support/stack.ts";

const KEYS = {
  looper: "looper-key-0123456789abcdefgh",
  other: "other-key-0123456789abcdefghi",
  caller: "caller-key-0123456789abcdefgh",
  issuerA: "issuer-a-key-0123456789abcdefg",
  issuerB: "issuer-b-key-0123456789abcdefg",
};
const OPERATIONS = 5;
const KVS_CALLS = 3;
const STREAM = "limited";
const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;

let stack: Stack;
let directory: string;
let streamArn: string;

beforeAll(async () => {
  directory = await scratchDirectory("principal-limits-");
  const video = await makeTestVideo(directory, { seconds: 12, fps: 5 });
  stack = await startStack({
    kvs: { getClipRatePerSecond: 0 },
    gateway: {
      // One GetClip per second per stream: a second download waits its turn (holding its slot).
      clips: { getClipRatePerSecond: 1 },
      security: apiKeySecurity(KEYS, {
        operationsPerWindow: OPERATIONS,
        upstreamCallsPerWindow: KVS_CALLS,
        windowSeconds: 60,
        maxConcurrentDownloads: 2,
        maxPrivateSessionsPerStream: 1,
      }),
    },
  });
  [streamArn] = (await createStreams(stack.kvs.endpoint, [STREAM])) as [string];
  await ingestAt(stack.kvs.endpoint, STREAM, video.bytes, T0);
});

afterAll(async () => {
  await stack?.stop();
  await removeScratchDirectory(directory);
});

/** The count of kvs_gateway_rate_limited_total{scope} so far. */
async function rateLimited(scope: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric("kvs_gateway_rate_limited_total")?.get();
  return metric?.values.find((value) => value.labels.scope === scope)?.value ?? 0;
}

async function post(key: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(stack.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    body: (await response.json()) as {
      data?: Record<string, unknown> | null;
      errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
    },
  };
}

/** Connects with `key` and runs one operation; resolves with what the server answered. */
function overWebSocket(key: string, query: string): Promise<{ type: string; payload: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(stack.wsUrl, "graphql-transport-ws");
    socket.on("open", () =>
      socket.send(JSON.stringify({ type: "connection_init", payload: { apiKey: key } })),
    );
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as { type: string; payload?: unknown };
      if (message.type === "connection_ack") {
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query } }));
      } else if (message.type === "next" || message.type === "error") {
        socket.close();
        resolve({ type: message.type, payload: message.payload });
      }
    });
    socket.on("error", reject);
    socket.on("close", (code) => reject(new Error(`closed ${code} before an answer`)));
  });
}

describe("per-principal rate limits", () => {
  it("refuses a loop of operations with RATE_LIMITED and a retry hint; another principal is served", async () => {
    const countedBefore = await rateLimited("operations");
    const answers = [];
    for (let i = 0; i < OPERATIONS + 2; i++)
      answers.push(await post(KEYS.looper, "{ __typename }"));
    expect(answers.slice(0, OPERATIONS).map((a) => a.status)).toEqual(Array(OPERATIONS).fill(200));
    const refused = answers[OPERATIONS];
    expect(refused?.status).toBe(429);
    expect(Number(refused?.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused?.body.errors?.[0]?.extensions).toMatchObject({
      code: "RATE_LIMITED",
      scope: "operations",
    });
    const retryAfterMs = refused?.body.errors?.[0]?.extensions?.retryAfterMs;
    expect(typeof retryAfterMs).toBe("number");
    expect(retryAfterMs as number).toBeGreaterThan(0);
    expect(retryAfterMs as number).toBeLessThanOrEqual(60_000);

    // Over graphql-ws the operation is refused with the same error; the socket stays usable.
    const ws = await overWebSocket(KEYS.looper, "{ __typename }");
    expect(ws.type).toBe("error");
    expect(ws.payload).toMatchObject([{ extensions: { code: "RATE_LIMITED" } }]);

    // Two refused over HTTP, one over graphql-ws.
    expect((await rateLimited("operations")) - countedBefore).toBe(3);
    const other = await post(KEYS.other, "{ __typename }");
    expect(other.status).toBe(200);
    expect(other.body).toEqual({ data: { __typename: "Query" } });
  });

  it("counts KVS calls over time, across operations", async () => {
    const listStreams = () => stack.kvs.stats.count("ListStreams");
    // Each alias asks another prefix: identical concurrent ListStreams calls would share one.
    const page = (alias: string) =>
      `${alias}: streams(first: 1, nameStartsWith: "${alias}") { ... on StreamConnection { edges { node { name } } } }`;
    const before = listStreams();
    // Two calls, then two more in a second operation: the fourth is past the window's three.
    const first = await post(KEYS.caller, `{ ${page("a")} ${page("b")} }`);
    expect(first.body.errors).toBeUndefined();
    const second = await post(KEYS.caller, `{ ${page("c")} ${page("d")} }`);
    expect(second.status).toBe(200);
    expect(second.body.data?.c).toBeTruthy();
    expect(second.body.errors).toHaveLength(1);
    expect(second.body.errors?.[0]?.extensions).toMatchObject({
      code: "RATE_LIMITED",
      scope: "kvs_calls",
    });
    expect(listStreams() - before).toBe(KVS_CALLS);

    // The next operation is refused before it runs, without calling KVS.
    const third = await post(KEYS.caller, `{ ${page("e")} }`);
    expect(third.status).toBe(429);
    expect(Number(third.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(third.body.errors?.[0]?.extensions).toMatchObject({
      code: "RATE_LIMITED",
      scope: "kvs_calls",
    });
    expect(listStreams() - before).toBe(KVS_CALLS);

    const other = await post(KEYS.other, `{ ${page("a")} }`);
    expect(other.body.errors).toBeUndefined();
  });
});

describe("concurrent downloads per principal", () => {
  /** A signed URL of a one-second clip at `offsetS`, issued to `holder`. */
  function clipUrl(holder: string, offsetS: number): string {
    const grant = {
      streamArn,
      timestampType: "PRODUCER_TIMESTAMP" as const,
      startMs: T0 + offsetS * 1000,
      endMs: T0 + offsetS * 1000 + 1000,
      expiresAtMs: Date.now() + 600_000,
      holder,
    };
    return clipDownloadUrl(stack.url, stack.services.clips.signer.sign(grant));
  }

  /** Starts a GET and resolves with its status and headers; the body is read to the end. */
  function get(url: string): Promise<{ status: number; retryAfter: string | undefined }> {
    return new Promise((resolve, reject) => {
      http
        .get(url, (response) => {
          response.resume();
          response.on("end", () =>
            resolve({
              status: response.statusCode ?? 0,
              retryAfter: response.headers["retry-after"],
            }),
          );
        })
        .on("error", reject);
    });
  }

  it("issues clip URLs naming their holder by a digest of the principal", async () => {
    const query = `query ($range: TimeRange!) { clip(name: "${STREAM}", range: $range, timestampType: PRODUCER_TIMESTAMP) { __typename ... on Clip { url } ... on KvsError { code message } } }`;
    const range = { start: new Date(T0).toISOString(), end: new Date(T0 + 2000).toISOString() };
    const holders = [];
    // A clip query costs two KVS calls (DescribeStream, ListFragments): one each, within the window.
    for (const key of [KEYS.issuerA, KEYS.issuerB]) {
      const answer = await post(key, query, { range });
      const url = (answer.body.data?.clip as { url?: string } | undefined)?.url;
      if (url === undefined) throw new Error(`no clip URL: ${JSON.stringify(answer)}`);
      holders.push(new URL(url).searchParams.get("holder"));
    }
    expect(holders).toEqual([urlHolder("api-key:issuerA"), urlHolder("api-key:issuerB")]);
    expect(holders[0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(holders[1]).not.toBe(holders[0]);
  });

  it("answers 429 with Retry-After past the cap, while another principal downloads", async () => {
    // Another principal's download takes the stream's GetClip turn, so the looper's two wait
    // theirs (about a second each) while holding their slots: a third is refused.
    const countedBefore = await rateLimited("downloads");
    const first = get(clipUrl("api-key:other", 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const held = [get(clipUrl("api-key:looper", 2)), get(clipUrl("api-key:looper", 3))];
    await new Promise((resolve) => setTimeout(resolve, 100));
    const third = await get(clipUrl("api-key:looper", 4));
    expect(third.status).toBe(429);
    expect(Number(third.retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await rateLimited("downloads")) - countedBefore).toBe(1);
    // The other principal still gets a slot while the looper is at its cap.
    const other = get(clipUrl("api-key:other", 5));
    expect((await first).status).toBe(200);
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
    expect((await other).status).toBe(200);
    // Slots come back when downloads end.
    expect((await get(clipUrl("api-key:looper", 6))).status).toBe(200);
  });
});
