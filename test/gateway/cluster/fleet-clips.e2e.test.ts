// Clip links and GetClip budgets across a fleet of three instances sharing one Redis: a link
// issued by one instance downloads from another (one CLIP_SIGNING_KEYS for all), and downloads
// through all three at once stay at the stream's GetClip rate fleet-wide, so kvs-local never
// answers ClientLimitExceeded.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { download } from "../../support/clips.ts";
import { type GatewayProcess, metricOf, spawnFleet } from "../../support/gateway-process.ts";
import { executeHttp } from "../../support/graphql.ts";
import {
  type LocalKvsProcess,
  spawnLocalKvs,
  stopLocalKvsProcess,
} from "../../support/kvs-local.ts";
import { makeTestVideo } from "../../support/media.ts";
import { startRedis, type TestRedis } from "../../support/redis.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { fillStream } from "../../support/seed.ts";
import { ClipQuery } from "../clips/documents.ts";

const STREAM = "fleet-clips";
/** The signature parameter of signed clip links (src/kvs/clips/signing.ts). */
const SIGNATURE_PARAM = "sig";
const CLIPS = 6;
const T0 = Math.floor((Date.now() - 2 * 3_600_000) / 1000) * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

let directory: string;
let kvs: LocalKvsProcess;
let redis: TestRedis;
let gateways: GatewayProcess[] = [];

beforeAll(async () => {
  directory = await scratchDirectory("fleet-clips-");
  const video = await makeTestVideo(directory, { seconds: CLIPS + 2, fps: 5, size: "160x120" });
  // kvs-local answers ClientLimitExceeded past 1 GetClip per second per stream, as KVS does. A
  // process of its own, so the test's own work does not shift when it sees requests arrive.
  kvs = await spawnLocalKvs(["--in-memory", "--get-clip-rate", "1"]);
  await fillStream(kvs.endpoint, STREAM, video.bytes, T0);
  redis = await startRedis();
  gateways = await spawnFleet(3, kvs.endpoint, redis.url, "fleet-clips:");
}, 120_000);

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.kill()));
  await redis?.stop();
  if (kvs) await stopLocalKvsProcess(kvs);
  await removeScratchDirectory(directory);
}, 30_000);

async function clipUrl(gateway: GatewayProcess, second: number): Promise<string> {
  const result = await executeHttp(`${gateway.url}/graphql`, ClipQuery, {
    name: STREAM,
    range: { start: iso(T0 + second * 1000), end: iso(T0 + second * 1000 + 900) },
    timestampType: "PRODUCER_TIMESTAMP",
  });
  const clip = result.data?.clip;
  if (clip?.__typename !== "Clip") throw new Error(`expected a Clip: ${JSON.stringify(result)}`);
  return clip.url;
}

/** The same path and signed query at another instance. */
const at = (gateway: GatewayProcess, url: string) => {
  const parsed = new URL(url);
  return `${gateway.url}${parsed.pathname}${parsed.search}`;
};

const getClipCalls = async (outcome: string) =>
  (
    await Promise.all(
      gateways.map((gateway) =>
        metricOf(gateway, "kvs_gateway_kvs_calls_total", { operation: "GetClip", outcome }),
      ),
    )
  ).reduce((a, b) => a + b, 0);

describe("clips across three instances", () => {
  it("downloads a link issued by one instance from another, and paces GetClip fleet-wide", async () => {
    // Links from instance 0; each downloaded through another instance, all at once.
    const urls = await Promise.all(
      Array.from({ length: CLIPS }, (_, i) => clipUrl(gateways[0] as GatewayProcess, i)),
    );
    const started = performance.now();
    const downloads = await Promise.all(
      urls.map((url, i) => download(at(gateways[(i % 2) + 1] as GatewayProcess, url))),
    );
    const elapsedMs = performance.now() - started;
    for (const response of downloads) {
      expect(response.status).toBe(200);
      expect(response.body.byteLength).toBeGreaterThan(1000);
    }
    expect(await getClipCalls("ok")).toBe(CLIPS);
    // kvs-local never had to throttle: the fleet stayed at 1 GetClip per second on the stream.
    expect(await getClipCalls("ClientLimitExceededException")).toBe(0);
    // Six GetClips one second (plus the 50 ms margin) apart take at least five seconds; each of
    // the two serving instances pacing on its own would have been done in about two.
    expect(elapsedMs).toBeGreaterThanOrEqual((CLIPS - 1) * 1000);
  }, 60_000);

  it("refuses a link whose signature was altered, on every instance", async () => {
    const url = new URL(await clipUrl(gateways[1] as GatewayProcess, 0));
    const signature = url.searchParams.get(SIGNATURE_PARAM) ?? "";
    expect(signature).not.toBe("");
    url.searchParams.set(
      SIGNATURE_PARAM,
      `${signature[0] === "A" ? "B" : "A"}${signature.slice(1)}`,
    );
    for (const gateway of gateways) {
      expect((await download(at(gateway, url.toString()))).status).toBe(403);
    }
  }, 30_000);
});
