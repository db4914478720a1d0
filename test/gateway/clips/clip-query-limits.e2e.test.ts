// What a clip query costs and when it stops early: its ListFragments pages are counted in the
// operation's KVS call budget, and a stream that keeps no data answers NoDataRetention (as GetClip
// does) without any ListFragments call; the download route answers GetClip's NoDataRetention too.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clipDownloadUrl } from "../../../src/gateway/clip-download-route.ts";
import { download } from "../../support/clips.ts";
import { executeHttp } from "../../support/graphql.ts";
import { createStreams } from "../../support/kvs-local.ts";
import { makeTestVideo } from "../../support/media.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { fillStream } from "../../support/seed.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { ClipQuery, StreamClipQuery, ThreeClipsQuery } from "./documents.ts";

const STREAM = "budgeted";
const NO_RETENTION = "keeps-nothing";
const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
const RANGE = {
  start: new Date(T0).toISOString(),
  end: new Date(T0 + 3_000).toISOString(),
};

let directory: string;
let stack: Stack;
let noRetentionArn: string;

beforeAll(async () => {
  directory = await scratchDirectory("clip-limits-");
  const video = await makeTestVideo(directory, { seconds: 4, fps: 5 });
  // Three KVS calls per operation: DescribeStream and two ListFragments, not three. The range
  // (both ends inclusive) holds the fragments starting at 0, 1, 2 and 3 s.
  stack = await startStack({ gateway: { maxUpstreamCallsPerOperation: 3 } });
  await fillStream(stack.kvs.endpoint, STREAM, video.bytes, T0);
  [noRetentionArn = ""] = await createStreams(stack.kvs.endpoint, [NO_RETENTION], {
    dataRetentionInHours: 0,
  });
});

afterAll(async () => {
  await stack?.stop();
  await removeScratchDirectory(directory);
});

describe("the upstream call budget", () => {
  it("fails the clip whose ListFragments would exceed it and answers the others", async () => {
    const listsBefore = stack.kvs.stats.count("ListFragments");
    const response = await executeHttp(stack.graphqlUrl, ThreeClipsQuery, {
      name: STREAM,
      range: RANGE,
      timestampType: "PRODUCER_TIMESTAMP",
    });
    const clips = [response.data?.first, response.data?.second, response.data?.third];
    const answered = clips.filter((clip) => clip?.__typename === "Clip");
    expect(answered).toEqual([
      { __typename: "Clip", fragmentCount: 4 },
      { __typename: "Clip", fragmentCount: 4 },
    ]);
    expect(clips.filter((clip) => clip === null)).toHaveLength(1);
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining("needs more than 3 Kinesis Video Streams calls"),
        extensions: { code: "UPSTREAM_CALL_BUDGET_EXCEEDED", limit: 3 },
      }),
    ]);
    // The refused call never reached KVS.
    expect(stack.kvs.stats.count("ListFragments") - listsBefore).toBe(2);
  });
});

describe("a stream with DataRetentionInHours 0", () => {
  it.each([
    ["clip(name)", "root"],
    ["Stream.clip", "stream"],
  ] as const)("answers NoDataRetention to %s without listing fragments", async (_field, via) => {
    const before = stack.kvs.stats.snapshot();
    const variables = {
      name: NO_RETENTION,
      range: RANGE,
      timestampType: "SERVER_TIMESTAMP" as const,
    };
    const clip =
      via === "root"
        ? (await executeHttp(stack.graphqlUrl, ClipQuery, variables)).data?.clip
        : await executeHttp(stack.graphqlUrl, StreamClipQuery, variables).then((result) =>
            result.data?.stream?.__typename === "Stream" ? result.data.stream.clip : undefined,
          );
    expect(clip).toMatchObject({
      __typename: "NoDataRetention",
      code: "NoDataRetentionException",
      message: expect.stringContaining(NO_RETENTION),
    });
    expect(stack.kvs.stats.snapshot()).toEqual({
      ...before,
      DescribeStream: (before.DescribeStream ?? 0) + 1,
    });
  });

  it("answers a download of it with KVS's NoDataRetentionException as 404", async () => {
    const url = clipDownloadUrl(
      stack.url,
      stack.services.clips.signer.sign({
        streamArn: noRetentionArn,
        timestampType: "SERVER_TIMESTAMP",
        startMs: T0,
        endMs: T0 + 3_000,
        expiresAtMs: Date.now() + 60_000,
      }),
    );
    const getClipsBefore = stack.kvs.stats.count("GetClip");
    const response = await download(url);
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body.toString())).toMatchObject({
      error: "NoDataRetentionException",
      retryable: false,
    });
    // The answer came from KVS's GetClip, not from the gateway.
    expect(stack.kvs.stats.count("GetClip") - getClipsBefore).toBe(1);
  });
});
