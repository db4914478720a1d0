// Stream.images end to end: a gateway over kvs-local with the demo sample ingested twice (a gap
// between). Links give decodable pictures of the asked size; tampered or expired links get 403
// without a GetImages; reloads of one strip cost one GetImages per page; forbidden streams are
// refused like any other field; bad arguments are refused before any upstream call.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMBEDDED_SECURITY_DEFAULTS } from "../../../src/gateway/security/settings.ts";
import { signImageLink, verifyImageLink } from "../../../src/kvs/images/signing.ts";
import type {
  StreamImagesQuery as StreamImagesData,
  StreamImagesQueryVariables,
} from "../../generated/graphql.ts";
import { executeHttp } from "../../support/graphql.ts";
import { createStreams } from "../../support/kvs-local.ts";
import { run } from "../../support/media.ts";
import { demoSample } from "../../support/mkv.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { fillStream, ingestAt } from "../../support/seed.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { StreamImagesQuery } from "./documents.ts";

const KEY = "cams-key-0123456789abcdef";
const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
/** The second recording: [~T0 + 10 s, T1) is a gap. */
const T1 = T0 + 30_000;
const iso = (ms: number) => new Date(ms).toISOString();

let stack: Stack;
let dir: string;
let files = 0;

beforeAll(async () => {
  dir = await scratchDirectory("gateway-images-");
  stack = await startStack({
    gateway: {
      security: {
        ...EMBEDDED_SECURITY_DEFAULTS,
        auth: { mode: "on", apiKeys: [{ id: "cams", key: KEY, streams: ["cam-*"] }] },
      },
    },
  });
  await fillStream(stack.kvs.endpoint, "cam-1", demoSample().bytes, T0);
  await ingestAt(stack.kvs.endpoint, "cam-1", demoSample().bytes, T1);
  await createStreams(stack.kvs.endpoint, ["other"]);
  await createStreams(stack.kvs.endpoint, ["cam-no-retention"], { dataRetentionInHours: 0 });
});

afterAll(async () => {
  await stack?.stop();
  await removeScratchDirectory(dir);
});

type ImagesVariables = Omit<StreamImagesQueryVariables, "name" | "range" | "samplingIntervalMs"> & {
  name?: string;
  start: string;
  end: string;
  interval?: number;
};

/** Stream.images of `name` (cam-1) with producer timestamps, as the "cams" principal. */
function query({ name = "cam-1", start, end, interval = 1000, ...rest }: ImagesVariables) {
  return executeHttp(
    stack.graphqlUrl,
    StreamImagesQuery,
    {
      name,
      range: { start, end },
      samplingIntervalMs: interval,
      timestampType: "PRODUCER_TIMESTAMP",
      ...rest,
    },
    { "x-api-key": KEY },
  );
}

type StreamAnswer = NonNullable<StreamImagesData["stream"]>;
type ImagesResult = NonNullable<Extract<StreamAnswer, { __typename: "Stream" }>["images"]>;

async function images(variables: ImagesVariables): Promise<ImagesResult> {
  const result = await query(variables);
  const stream = result.data?.stream;
  if (stream?.__typename !== "Stream" || !stream.images) {
    throw new Error(`no images: ${JSON.stringify(result)}`);
  }
  return stream.images;
}

/** The edges of a connection answer (none for an error). */
const edgesOf = (result: ImagesResult) =>
  result.__typename === "StreamImageConnection" ? result.edges : [];
const pageInfoOf = (result: ImagesResult) =>
  result.__typename === "StreamImageConnection" ? result.pageInfo : undefined;

async function probeImage(bytes: Buffer, ext: string) {
  const file = path.join(dir, `image-${++files}.${ext}`);
  await writeFile(file, bytes);
  const { stdout } = await run("ffprobe", [
    "-v",
    "error",
    "-show_entries",
    "stream=width,height,codec_name",
    "-of",
    "json",
    file,
  ]);
  return (JSON.parse(stdout) as { streams: Array<Record<string, unknown>> }).streams[0];
}

const getImagesCalls = () => stack.kvs.stats.count("GetImages");

describe("Stream.images", () => {
  it("links decodable JPEGs of the asked size at the asked instants, NO_MEDIA in the gap", async () => {
    const result = await images({
      start: iso(T0),
      end: iso(T0 + 40_000),
      interval: 5000,
      width: 160,
      height: 90,
      quality: 60,
    });
    const nodes = edgesOf(result).map((edge) => edge.node);
    expect(nodes.map((node) => [node.timestamp, node.error ?? "image"])).toEqual([
      [iso(T0), "image"],
      [iso(T0 + 5000), "image"],
      [iso(T0 + 10_000), "image"],
      [iso(T0 + 15_000), "NO_MEDIA"],
      [iso(T0 + 20_000), "NO_MEDIA"],
      [iso(T0 + 25_000), "NO_MEDIA"],
      [iso(T1), "image"],
      [iso(T1 + 5000), "image"],
      [iso(T1 + 10_000), "image"],
    ]);
    for (const node of nodes) {
      if (node.url === null) continue;
      const response = await fetch(node.url);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("image/jpeg");
      // An hour, rounded up to the next minute.
      const maxAge = /^private, max-age=(\d+)$/.exec(response.headers.get("cache-control") ?? "");
      expect(Number(maxAge?.[1])).toBeGreaterThanOrEqual(3590);
      expect(Number(maxAge?.[1])).toBeLessThanOrEqual(3660);
      expect(await probeImage(Buffer.from(await response.arrayBuffer()), "jpg")).toEqual({
        codec_name: "mjpeg",
        width: 160,
        height: 90,
      });
    }
  });

  it("serves PNGs at the source size", async () => {
    const result = await images({ start: iso(T0 + 2000), end: iso(T0 + 2000), format: "PNG" });
    const url = edgesOf(result)[0]?.node.url;
    expect(url).toBeTruthy();
    const response = await fetch(url ?? "");
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(await probeImage(Buffer.from(await response.arrayBuffer()), "png")).toEqual({
      codec_name: "png",
      width: 320,
      height: 240,
    });
  });

  it("pages with first/after; N reloads of a strip cost one GetImages per 25 images", async () => {
    const strip = {
      start: iso(T0 + 500),
      end: iso(T0 + 9_300),
      interval: 200,
      width: 32,
      height: 18,
      first: 30,
    };
    const before = getImagesCalls();
    const page1 = await images(strip);
    const page2 = await images({ ...strip, after: pageInfoOf(page1)?.endCursor });
    const stamps = [...edgesOf(page1), ...edgesOf(page2)].map((edge) =>
      Date.parse(edge.node.timestamp),
    );
    expect(stamps).toEqual(Array.from({ length: 45 }, (_, i) => T0 + 500 + i * 200));
    expect(pageInfoOf(page1)?.hasNextPage).toBe(true);
    expect(pageInfoOf(page2)?.hasNextPage).toBe(false);
    const calls = getImagesCalls() - before;
    // The grid starts 2 s (one fragment duration, 10 intervals) before the start: 55 points, 3 windows of 25.
    expect(calls).toBe(3);
    for (let reload = 0; reload < 3; reload++) {
      const again = [
        ...edgesOf(await images(strip)),
        ...edgesOf(await images({ ...strip, after: pageInfoOf(page1)?.endCursor })),
      ];
      const bodies = await Promise.all(
        again.map(async (edge) => (await fetch(edge.node.url ?? "")).status),
      );
      expect(bodies.every((status) => status === 200)).toBe(true);
    }
    expect(getImagesCalls() - before).toBe(calls);
  });

  it("re-fetches the GetImages page of a link after the cache lost it, once for concurrent misses", async () => {
    const result = await images({ start: iso(T1), end: iso(T1 + 4000), width: 48, height: 27 });
    const urls = edgesOf(result).map((edge) => edge.node.url ?? "");
    stack.services.images.windows.clear();
    const before = getImagesCalls();
    const statuses = await Promise.all(urls.map(async (url) => (await fetch(url)).status));
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(getImagesCalls() - before).toBe(1);
  });

  it("refuses tampered and expired links with 403 before any GetImages", async () => {
    const result = await images({
      start: iso(T0 + 1000),
      end: iso(T0 + 1000),
      width: 64,
      height: 36,
    });
    const valid = new URL(edgesOf(result)[0]?.node.url ?? "");
    const signer = stack.services.images.signer;
    const grant = verifyImageLink(signer, valid.searchParams);
    const tampered = (name: string, value: string) => {
      const url = new URL(valid);
      url.searchParams.set(name, value);
      return url.toString();
    };
    const expired = new URL(valid);
    expired.search = signImageLink(signer, { ...grant, expiresAtMs: Date.now() - 1000 }).toString();
    const before = getImagesCalls();
    for (const [url, reason] of [
      [tampered("point", String(grant.point + 1)), "bad-signature"],
      [tampered("width", "3840"), "bad-signature"],
      [tampered("stream", grant.grid.streamArn.replace("cam-1", "other")), "bad-signature"],
      [tampered("sig", `${valid.searchParams.get("sig")?.slice(0, -1)}A`), "bad-signature"],
      [tampered("kid", "nope"), "unknown-key"],
      [tampered("format", "GIF"), "malformed"],
      [expired.toString(), "expired"],
    ] as const) {
      const response = await fetch(url);
      expect(response.status, url).toBe(403);
      expect(await response.json()).toMatchObject({ error: "ImageUrlRejected", reason });
    }
    expect(getImagesCalls()).toBe(before);
  });

  it("refuses a forbidden stream like any other field, without calling KVS", async () => {
    const before = getImagesCalls();
    const result = await query({ name: "other", start: iso(T0), end: iso(T0 + 1000) });
    expect(result.data?.stream).toEqual({
      __typename: "NotAuthorized",
      code: "NotAuthorizedException",
    });
    expect(getImagesCalls()).toBe(before);
  });

  it("answers NoDataRetention for a stream that keeps nothing, without a GetImages", async () => {
    const before = getImagesCalls();
    const result = await query({ name: "cam-no-retention", start: iso(T0), end: iso(T0 + 1000) });
    expect(result.data?.stream).toMatchObject({
      images: { __typename: "NoDataRetention", code: "NoDataRetentionException" },
    });
    expect(getImagesCalls()).toBe(before);
  });

  it("maps GetImages failures to typed errors on the field and to HTTP statuses on links", async () => {
    const range = { start: iso(T1 + 6000), end: iso(T1 + 8000), width: 40, height: 30 };
    stack.kvs.faults.inject("GetImages", {
      kind: "exception",
      exception: "ClientLimitExceededException",
    });
    expect(await images(range)).toMatchObject({
      __typename: "ClientLimitExceeded",
      code: "ClientLimitExceededException",
    });
    const ok = await images(range);
    const url = edgesOf(ok)[0]?.node.url ?? "";
    stack.services.images.windows.clear();
    stack.kvs.faults.inject("GetImages", {
      kind: "exception",
      exception: "ClientLimitExceededException",
    });
    const throttled = await fetch(url);
    expect(throttled.status).toBe(429);
    expect(await throttled.json()).toMatchObject({ error: "ClientLimitExceededException" });
    expect((await fetch(url)).status).toBe(200);
  });

  it.each([
    ["an interval under 200 ms", { interval: 199 }, /samplingIntervalMs/],
    ["width without height", { width: 100 }, /width and height/],
    ["width over 3840", { width: 3841, height: 100 }, /width/],
    ["height over 2160", { width: 100, height: 2161 }, /height/],
    ["quality 0", { quality: 0 }, /quality/],
    ["quality over 100", { quality: 101 }, /quality/],
    [
      "a range the call budget can't serve",
      { end: iso(T0 + 600 * 300_000), interval: 12_000 },
      /GetImages calls/,
    ],
    ["an end before the start", { end: iso(T0 - 1) }, /range/],
  ])("refuses %s before any GetImages", async (_what, variables, message) => {
    const before = getImagesCalls();
    const result = await images({ start: iso(T0), end: iso(T0 + 5000), ...variables });
    expect(result).toMatchObject({
      __typename: "InvalidArgument",
      code: "InvalidArgumentException",
      message: expect.stringMatching(message),
    });
    expect(getImagesCalls()).toBe(before);
  });
});
