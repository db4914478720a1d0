// Signed clip URLs: anything but an intact, unexpired URL signed with a configured key gets 403
// before any upstream call; clip queries refuse bad arguments before any upstream call.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clipDownloadUrl } from "../../../src/gateway/clip-download-route.ts";
import { ClipSigner, grantFromParams } from "../../../src/kvs/clips/signing.ts";
import type { ClipQueryVariables } from "../../generated/graphql.ts";
import { download } from "../../support/clips.ts";
import { executeHttp } from "../../support/graphql.ts";
import { makeTestVideo } from "../../support/media.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { fillStream } from "../../support/seed.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { ClipQuery } from "./documents.ts";

const STREAM = "secured";
const ORIGIN = "https://app.example";
const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

let directory: string;
let stack: Stack;
let validUrl: string;

beforeAll(async () => {
  directory = await scratchDirectory("clip-security-");
  const video = await makeTestVideo(directory, { seconds: 12, fps: 5 });
  // Pacing is another test's subject: the backend doesn't throttle and the governor is quick.
  stack = await startStack({
    kvs: { getClipRatePerSecond: 0 },
    gateway: { corsOrigins: [ORIGIN], clips: { getClipRatePerSecond: 20 } },
  });
  await fillStream(stack.kvs.endpoint, STREAM, video.bytes, T0);
  const result = await executeHttp(stack.graphqlUrl, ClipQuery, {
    name: STREAM,
    range: { start: iso(T0), end: iso(T0 + 5_000) },
    timestampType: "PRODUCER_TIMESTAMP",
    expiresIn: 600,
  });
  const clip = result.data?.clip;
  if (clip?.__typename !== "Clip")
    throw new Error(`expected a Clip, got ${JSON.stringify(result)}`);
  validUrl = clip.url;
});

afterAll(async () => {
  await stack?.stop();
  await removeScratchDirectory(directory);
});

function withParam(url: string, name: string, value: string): string {
  const changed = new URL(url);
  changed.searchParams.set(name, value);
  return changed.toString();
}

/** The valid URL's grant re-signed by `signer` with changes. */
function resigned(
  signer: ClipSigner,
  change: { expiresAtMs?: number } = {},
  range: { startMs?: number; endMs?: number } = {},
): string {
  const grant = grantFromParams(new URL(validUrl).searchParams);
  return clipDownloadUrl(stack.url, signer.sign({ ...grant, ...change, ...range }));
}

describe("the clip download route", () => {
  const flipped = (signature: string) =>
    (signature.startsWith("A") ? "B" : "A") + signature.slice(1);

  const refused: Array<[string, () => string, string]> = [
    [
      "a tampered signature",
      () => withParam(validUrl, "sig", flipped(new URL(validUrl).searchParams.get("sig") ?? "")),
      "bad-signature",
    ],
    ...(
      [
        ["an appended '!'", (sig: string) => `${sig}!`],
        ["an appended '='", (sig: string) => `${sig}=`],
        ["base64 padding", (sig: string) => `${sig}==`],
        ["a '*' inserted", (sig: string) => `${sig.slice(0, 20)}*${sig.slice(20)}`],
        ["one character short", (sig: string) => sig.slice(0, -1)],
      ] as const
    ).map(([what, change]): [string, () => string, string] => [
      `a signature with ${what}`,
      () => withParam(validUrl, "sig", change(new URL(validUrl).searchParams.get("sig") ?? "")),
      "bad-signature",
    ]),
    ["a changed range start", () => withParam(validUrl, "start", iso(T0 - 1)), "bad-signature"],
    ["a changed range end", () => withParam(validUrl, "end", iso(T0 + 60_000)), "bad-signature"],
    [
      "another stream",
      () =>
        withParam(
          validUrl,
          "stream",
          (new URL(validUrl).searchParams.get("stream") ?? "").replace(STREAM, "other"),
        ),
      "bad-signature",
    ],
    [
      "a changed selector",
      () => withParam(validUrl, "timestampType", "SERVER_TIMESTAMP"),
      "bad-signature",
    ],
    [
      "a later expiry",
      () => withParam(validUrl, "expires", iso(Date.now() + 86_400_000)),
      "bad-signature",
    ],
    [
      "an expired URL",
      () => resigned(stack.services.clips.signer, { expiresAtMs: Date.now() - 1000 }),
      "expired",
    ],
    [
      "an unknown key id",
      () => resigned(new ClipSigner({ keys: [{ id: "retired", secret: Buffer.alloc(32, 9) }] })),
      "unknown-key",
    ],
    [
      "the right key id with a foreign secret",
      () => resigned(new ClipSigner({ keys: [{ id: "test", secret: Buffer.alloc(32, 8) }] })),
      "bad-signature",
    ],
    [
      "a missing signature",
      () => {
        const u = new URL(validUrl);
        u.searchParams.delete("sig");
        return u.toString();
      },
      "malformed",
    ],
  ];

  it.each(refused)("answers 403 to %s, without any upstream call", async (_case, url, reason) => {
    const before = stack.kvs.stats.snapshot();
    const response = await download(url(), { headers: { origin: ORIGIN } });
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(JSON.parse(response.body.toString())).toMatchObject({
      error: "ClipUrlRejected",
      reason,
    });
    expect(stack.kvs.stats.snapshot()).toEqual(before);
    expect(stack.kvs.stats.count("GetClip")).toBe(0);
  });

  it("serves the intact URL, with CORS for the configured origin", async () => {
    const response = await download(validUrl, { headers: { origin: ORIGIN } });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(response.headers.get("access-control-expose-headers")).toContain("Content-Disposition");
    expect(response.body.subarray(4, 8).toString()).toBe("ftyp");
    expect(stack.kvs.stats.count("GetClip")).toBe(1);
  });
});

describe("upstream failures on the download route", () => {
  /** A signed URL for a producer-timestamp range, as the gateway would hand it out. */
  const urlFor = (startMs: number, endMs: number) =>
    resigned(stack.services.clips.signer, {}, { startMs, endMs });

  it.each([
    ["ResourceNotFoundException", 404],
    ["UnsupportedStreamMediaTypeException", 422],
    ["NoDataRetentionException", 404],
    ["NotAuthorizedException", 502],
    ["ClientLimitExceededException", 429],
  ])("answers KVS's %s with HTTP %i and a JSON body naming it", async (exception, status) => {
    // Four throttling answers outlast the governor's retries.
    const times = exception === "ClientLimitExceededException" ? 4 : 1;
    stack.kvs.faults.inject("GetClip", { kind: "exception", exception, times });
    const response = await download(urlFor(T0 + 1000, T0 + 2000 + status));
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body.toString())).toMatchObject({ error: exception });
  });

  it("answers a range without fragments with 404 ResourceNotFoundException", async () => {
    const response = await download(urlFor(T0 - 60_000, T0 - 30_000));
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body.toString())).toMatchObject({
      error: "ResourceNotFoundException",
      retryable: false,
    });
  });

  it("answers a KVS 5xx with 502", async () => {
    stack.kvs.faults.inject("GetClip", { kind: "status", status: 503 });
    const response = await download(urlFor(T0 + 3000, T0 + 4000));
    expect(response.status).toBe(502);
    expect(JSON.parse(response.body.toString())).toMatchObject({ retryable: true });
  });

  it("cuts the response short when KVS breaks mid-clip, and keeps nothing of it", async () => {
    const url = urlFor(T0, T0 + 8000);
    stack.kvs.faults.inject("GetClip", { kind: "drop-after-bytes", bytes: 2000 });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    await expect(response.arrayBuffer()).rejects.toThrow();
    const again = await download(url);
    expect(again.status).toBe(200);
    expect(again.headers.get("x-clip-source")).toBe("upstream");
    expect(again.body.byteLength).toBe(Number(again.headers.get("content-length")));
  });
});

describe("clip query arguments", () => {
  const now = Date.now();
  const invalidCases: Array<[string, Record<string, unknown>, string]> = [
    ["an end before the start", { range: { start: iso(T0 + 5000), end: iso(T0) } }, "range"],
    ["an empty range", { range: { start: iso(T0), end: iso(T0) } }, "range"],
    ["a range over 24 hours", { range: { start: iso(T0 - 86_400_001), end: iso(T0) } }, "range"],
    [
      "a SERVER_TIMESTAMP range ending in the future",
      {
        range: { start: iso(now - 10_000), end: iso(now + 60_000) },
        timestampType: "SERVER_TIMESTAMP",
      },
      "range",
    ],
    [
      "a zero lifetime",
      { range: { start: iso(T0), end: iso(T0 + 5000) }, expiresIn: 0 },
      "expiresIn",
    ],
    [
      "a lifetime over the maximum",
      { range: { start: iso(T0), end: iso(T0 + 5000) }, expiresIn: 8 * 86_400 },
      "expiresIn",
    ],
    [
      "a bad stream name",
      { name: "no spaces allowed", range: { start: iso(T0), end: iso(T0 + 5000) } },
      "name",
    ],
  ];

  it.each(invalidCases)(
    "refuses %s with InvalidArgument before any upstream call",
    async (_case, args, argument) => {
      const before = stack.kvs.stats.snapshot();
      const result = await executeHttp(stack.graphqlUrl, ClipQuery, {
        name: STREAM,
        timestampType: "PRODUCER_TIMESTAMP",
        ...args,
      } as ClipQueryVariables);
      expect(result.data?.clip).toMatchObject({
        __typename: "InvalidArgument",
        code: "InvalidArgumentException",
        argument,
      });
      expect(stack.kvs.stats.snapshot()).toEqual(before);
    },
  );

  it("answers ResourceNotFound for an unknown stream and for a range without fragments", async () => {
    const unknown = await executeHttp(stack.graphqlUrl, ClipQuery, {
      name: "no-such-stream",
      range: { start: iso(T0), end: iso(T0 + 5000) },
    });
    expect(unknown.data?.clip).toMatchObject({
      __typename: "ResourceNotFound",
      code: "ResourceNotFoundException",
    });
    const empty = await executeHttp(stack.graphqlUrl, ClipQuery, {
      name: STREAM,
      range: { start: iso(T0 - 60_000), end: iso(T0 - 30_000) },
      timestampType: "PRODUCER_TIMESTAMP",
    });
    expect(empty.data?.clip).toMatchObject({ __typename: "ResourceNotFound" });
  });

  it("accepts a PRODUCER_TIMESTAMP range ending in the future, and signs the asked lifetime", async () => {
    const before = Date.now();
    const result = await executeHttp(stack.graphqlUrl, ClipQuery, {
      name: STREAM,
      range: { start: iso(T0), end: iso(Date.now() + 60_000) },
      timestampType: "PRODUCER_TIMESTAMP",
      expiresIn: 120,
    });
    const clip = result.data?.clip;
    if (clip?.__typename !== "Clip") throw new Error(JSON.stringify(result));
    expect(clip.fragmentCount).toBe(12);
    const expiresAt = Date.parse(clip.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 120_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 120_000);
    expect(new URL(clip.url).searchParams.get("expires")).toBe(clip.expiresAt);
  });
});
