// The two ready-made clients of the seed documents, unchanged, given only an endpoint URL and
// dummy credentials: the AWS CLI (`aws kinesis-video-archived-media get-clip … OUTFILE`) and
// boto3 (`client.get_clip(…)`). Debian's /usr/bin/aws and /usr/bin/python3 (with python3-boto3).
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalKvs } from "../../../src/local-kvs/index.ts";
import { spanSeconds } from "../../support/clips.ts";
import {
  awsCliEnv,
  createStreams,
  listByProducer,
  startLocalKvs,
} from "../../support/kvs-local.ts";
import { decodes, ffprobe } from "../../support/media.ts";
import { demoSample } from "../../support/mkv.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { ingestAt } from "../../support/seed.ts";

const AWS = "/usr/bin/aws";
const PYTHON = "/usr/bin/python3";
/** Whole seconds: botocore sends timestamps as whole epoch seconds. */
const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;

let backend: LocalKvs;
let dir: string;
let env: NodeJS.ProcessEnv;
const sample = demoSample();
const sampleVideoFrames = sample.clusters.reduce((n, c) => n + c.videoFrames, 0);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function runTool(file: string, args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  backend = await startLocalKvs([], { getClipRatePerSecond: 0 });
  dir = await scratchDirectory("kvs-clip-test-");
  await createStreams(backend.endpoint, ["sample"]);
  await ingestAt(backend.endpoint, "sample", sample.bytes, T0);
  env = awsCliEnv(dir);
});

afterAll(async () => {
  await backend?.stop();
  await removeScratchDirectory(dir);
});

async function expectPlayableClip(file: string): Promise<void> {
  const probe = await ffprobe(file);
  const promised = await listByProducer(backend.endpoint, "sample", T0, T0 + 60_000);
  expect(probe.video?.frames).toBe(sampleVideoFrames);
  expect(probe.duration).toBeCloseTo(spanSeconds(promised), 1);
  await decodes(file);
}

describe("AWS CLI", () => {
  const selectorJson = (startMs: number, endMs: number) =>
    JSON.stringify({
      FragmentSelectorType: "PRODUCER_TIMESTAMP",
      TimestampRange: {
        StartTimestamp: new Date(startMs).toISOString(),
        EndTimestamp: new Date(endMs).toISOString(),
      },
    });

  async function cliGetClip(stream: string, startMs: number, endMs: number, out: string) {
    return runTool(AWS, [
      "kinesis-video-archived-media",
      "get-clip",
      "--endpoint-url",
      clipEndpoint,
      "--stream-name",
      stream,
      "--clip-fragment-selector",
      selectorJson(startMs, endMs),
      out,
    ]);
  }

  let clipEndpoint = "";

  beforeAll(async () => {
    // As a user would: ask the control plane for the GET_CLIP data endpoint first.
    const endpoint = await runTool(AWS, [
      "kinesisvideo",
      "get-data-endpoint",
      "--endpoint-url",
      backend.endpoint,
      "--stream-name",
      "sample",
      "--api-name",
      "GET_CLIP",
      "--output",
      "json",
    ]);
    if (endpoint.code !== 0) throw new Error(`get-data-endpoint failed: ${endpoint.stderr}`);
    clipEndpoint = (JSON.parse(endpoint.stdout) as { DataEndpoint: string }).DataEndpoint;
  });

  it("writes a playable MP4 with get-clip on the endpoint get-data-endpoint gave", async () => {
    expect(clipEndpoint).toBe(backend.endpoint);
    const out = path.join(dir, "cli.mp4");
    const result = await cliGetClip("sample", T0, T0 + 60_000, out);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ContentType: "video/mp4" });
    await expectPlayableClip(out);
  });

  it("reports the exception names for an unknown stream and an EndTimestamp before StartTimestamp", async () => {
    const out = path.join(dir, "cli-error.mp4");
    const unknown = await cliGetClip("no-such-stream", T0, T0 + 60_000, out);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("(ResourceNotFoundException)");
    const backwards = await cliGetClip("sample", T0 + 60_000, T0, out);
    expect(backwards.code).not.toBe(0);
    expect(backwards.stderr).toContain("(InvalidArgumentException)");
  });
});

describe("boto3", () => {
  const script = `
import json, sys
from datetime import datetime, timezone
import boto3
from botocore.exceptions import ClientError

endpoint, stream, start_ms, end_ms, out = sys.argv[1:6]
at = lambda ms: datetime.fromtimestamp(int(ms) / 1000, tz=timezone.utc)
video = boto3.client("kinesisvideo", endpoint_url=endpoint)
data = video.get_data_endpoint(StreamName=stream, APIName="GET_CLIP")["DataEndpoint"] if stream != "no-such-stream" else endpoint
archived = boto3.client("kinesis-video-archived-media", endpoint_url=data)
try:
    response = archived.get_clip(
        StreamName=stream,
        ClipFragmentSelector={
            "FragmentSelectorType": "PRODUCER_TIMESTAMP",
            "TimestampRange": {"StartTimestamp": at(start_ms), "EndTimestamp": at(end_ms)},
        },
    )
    with open(out, "wb") as f:
        f.write(response["Payload"].read())
    print(json.dumps({"contentType": response["ContentType"]}))
except ClientError as error:
    print(json.dumps({"error": error.response["Error"]["Code"]}))
`;
  let scriptFile = "";

  async function botoGetClip(stream: string, startMs: number, endMs: number, out: string) {
    if (!scriptFile) {
      scriptFile = path.join(dir, "get_clip.py");
      await writeFile(scriptFile, script);
    }
    const result = await runTool(PYTHON, [
      scriptFile,
      backend.endpoint,
      stream,
      String(startMs),
      String(endMs),
      out,
    ]);
    expect(result.stderr).toBe("");
    return JSON.parse(result.stdout) as { contentType?: string; error?: string };
  }

  it("writes a playable MP4 with get_clip", async () => {
    const out = path.join(dir, "boto3.mp4");
    expect(await botoGetClip("sample", T0, T0 + 60_000, out)).toEqual({
      contentType: "video/mp4",
    });
    await expectPlayableClip(out);
  });

  it("reports the exception names for an unknown stream and an EndTimestamp before StartTimestamp", async () => {
    const out = path.join(dir, "boto3-error.mp4");
    expect(await botoGetClip("no-such-stream", T0, T0 + 60_000, out)).toEqual({
      error: "ResourceNotFoundException",
    });
    expect(await botoGetClip("sample", T0 + 60_000, T0, out)).toEqual({
      error: "InvalidArgumentException",
    });
  });
});
