import {
  type APIName,
  CreateStreamCommand,
  DescribeStreamCommand,
  GetDataEndpointCommand,
  type KinesisVideoClient,
  ListStreamsCommand,
} from "@aws-sdk/client-kinesis-video";
import {
  type FragmentSelectorType,
  ListFragmentsCommand,
} from "@aws-sdk/client-kinesis-video-archived-media";
import { GetMediaCommand, type StartSelectorType } from "@aws-sdk/client-kinesis-video-media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalKvs } from "../../src/local-kvs/index.ts";
import { putMedia } from "../../src/local-kvs/producer/put-media-client.ts";
import { fixture } from "../support/fixtures.ts";
import {
  archivedMedia,
  controlPlane,
  dataEndpoint,
  listFragments,
  mediaClient,
  startLocalKvs,
} from "../support/kvs-local.ts";
import { clustersOf } from "../support/mkv.ts";
import { ingest, persistedNumbers } from "../support/seed.ts";

describe("bad input gets the AWS exception and the server keeps serving", () => {
  let kvs: LocalKvs;
  let cp: KinesisVideoClient;

  beforeAll(async () => {
    kvs = await startLocalKvs(["errs"], { dataRetentionInHours: 1 });
    cp = controlPlane(kvs.endpoint);
  });
  afterAll(async () => {
    cp?.destroy();
    await kvs?.stop();
  });

  const stillServing = async () => {
    const out = await cp.send(new ListStreamsCommand({}));
    expect(out.StreamInfoList?.some((s) => s.StreamName === "errs")).toBe(true);
  };

  it("rejects a stream name outside the pattern and a too-long one", async () => {
    await expect(
      cp.send(new CreateStreamCommand({ StreamName: "bad name!" })),
    ).rejects.toMatchObject({
      name: "InvalidArgumentException",
      $metadata: { httpStatusCode: 400 },
      message: expect.stringContaining("regular expression pattern"),
    });
    await expect(
      cp.send(new CreateStreamCommand({ StreamName: "x".repeat(257) })),
    ).rejects.toMatchObject({ name: "InvalidArgumentException" });
    await expect(
      cp.send(new CreateStreamCommand({ StreamName: "ok", DataRetentionInHours: -1 })),
    ).rejects.toMatchObject({ name: "InvalidArgumentException" });
    await expect(cp.send(new CreateStreamCommand({ StreamName: "errs" }))).rejects.toMatchObject({
      name: "ResourceInUseException",
    });
    await stillServing();
  });

  it("rejects a wrong enum value", async () => {
    await expect(
      cp.send(
        new GetDataEndpointCommand({ StreamName: "errs", APIName: "GET_EVERYTHING" as APIName }),
      ),
    ).rejects.toMatchObject({
      name: "InvalidArgumentException",
      message: expect.stringContaining("enum value set"),
    });
    const list = await archivedMedia(kvs.endpoint, "errs");
    await expect(
      list.send(
        new ListFragmentsCommand({
          StreamName: "errs",
          FragmentSelector: {
            FragmentSelectorType: "ARRIVAL" as FragmentSelectorType,
            TimestampRange: { StartTimestamp: new Date(0), EndTimestamp: new Date() },
          },
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidArgumentException" });
    await expect(
      list.send(new ListFragmentsCommand({ StreamName: "errs", MaxResults: 1001 })),
    ).rejects.toMatchObject({ name: "InvalidArgumentException" });
    list.destroy();
    const media = await mediaClient(kvs.endpoint, "errs");
    await expect(
      media.send(
        new GetMediaCommand({
          StreamName: "errs",
          StartSelector: { StartSelectorType: "LATEST" as StartSelectorType },
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidArgumentException" });
    await expect(
      media.send(
        new GetMediaCommand({
          StreamName: "errs",
          StartSelector: { StartSelectorType: "FRAGMENT_NUMBER" },
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidArgumentException" });
    media.destroy();
    await stillServing();
  });

  it("answers unknown streams with ResourceNotFoundException on every plane", async () => {
    await expect(cp.send(new DescribeStreamCommand({ StreamName: "ghost" }))).rejects.toMatchObject(
      {
        name: "ResourceNotFoundException",
        $metadata: { httpStatusCode: 404 },
      },
    );
    await expect(
      cp.send(new GetDataEndpointCommand({ StreamName: "ghost", APIName: "GET_MEDIA" })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    const list = await archivedMedia(kvs.endpoint, "errs");
    await expect(
      list.send(new ListFragmentsCommand({ StreamName: "ghost" })),
    ).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
    list.destroy();
    const media = await mediaClient(kvs.endpoint, "errs");
    await expect(
      media.send(
        new GetMediaCommand({
          StreamARN: "arn:aws:kinesisvideo:us-east-1:123456789012:stream/ghost/1",
          StartSelector: { StartSelectorType: "EARLIEST" },
        }),
      ),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    media.destroy();
    const put = putMedia({
      endpoint: kvs.endpoint,
      streamName: "ghost",
      body: fixture("clusters.mkv"),
      timecodeType: "RELATIVE",
      producerStartTimestampMs: Date.now(),
    });
    await expect(put.done).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      status: 404,
    });
    await stillServing();
  });

  it("a garbage PutMedia body gets an ERROR ack (4006) and stores nothing", async () => {
    const garbage = new Uint8Array(200_000).map((_, i) => (i * 7919) % 251);
    const acks = await ingest(kvs.endpoint, "errs", garbage);
    expect(acks).toEqual([{ EventType: "ERROR", ErrorId: 4006 }]);
    const list = await archivedMedia(kvs.endpoint, "errs");
    const out = await list.send(new ListFragmentsCommand({ StreamName: "errs" }));
    expect(out.Fragments).toEqual([]);
    list.destroy();
    await stillServing();
  });

  it("a truncated MKV keeps every fragment persisted before the cut and acks ERROR", async () => {
    const file = fixture("clusters.mkv");
    const clusters = clustersOf(file);
    // Cut in the middle of the fourth Cluster.
    const fourth = clusters[3] as Uint8Array;
    const cut = fourth.byteOffset - file.byteOffset + Math.floor(fourth.length / 2);
    const acks = await ingest(kvs.endpoint, "errs", file.subarray(0, cut));
    const numbers = persistedNumbers(acks);
    expect(numbers).toHaveLength(3);
    expect(acks.at(-1)).toMatchObject({ EventType: "ERROR", ErrorId: 4006 });
    const fragments = await listFragments(kvs.endpoint, "errs");
    expect(fragments.map((f) => f.FragmentNumber)).toEqual(numbers);
    await stillServing();
  });

  it("rejects PutMedia with a bad timecode type header", async () => {
    const put = putMedia({
      endpoint: kvs.endpoint,
      streamName: "errs",
      body: fixture("clusters.mkv"),
      timecodeType: "SOMETIMES" as "ABSOLUTE",
      producerStartTimestampMs: Date.now(),
    });
    await expect(put.done).rejects.toMatchObject({ name: "InvalidArgumentException", status: 400 });
    await stillServing();
  });

  it("rejects a malformed Authorization header sent through the SDK", async () => {
    const broken = controlPlane(kvs.endpoint);
    type Middleware = Parameters<typeof broken.middlewareStack.addRelativeTo>[0];
    type Args = { request: { headers: Record<string, string> } };
    // After signing, replace the header with one that lacks SignedHeaders and Signature.
    const breakAuthorization = (next: (args: Args) => Promise<unknown>) => async (args: Args) => {
      args.request.headers.authorization = "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1";
      return next(args);
    };
    broken.middlewareStack.addRelativeTo(breakAuthorization as unknown as Middleware, {
      relation: "after",
      toMiddleware: "httpSigningMiddleware",
      name: "breakAuthorization",
    });
    await expect(broken.send(new ListStreamsCommand({}))).rejects.toMatchObject({
      name: "IncompleteSignatureException",
      $metadata: { httpStatusCode: 403 },
    });
    broken.destroy();
    await stillServing();
  });

  it("answers an unknown path like KVS does", async () => {
    const res = await fetch(`${kvs.endpoint}/getEverything`, { method: "POST", body: "{}" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      Output: { __type: "com.amazon.coral.service#UnknownOperationException" },
      Version: "1.0",
    });
  });

  it("sends the three error signals: status, x-amzn-ErrorType and a __type body", async () => {
    const res = await fetch(`${kvs.endpoint}/describeStream`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ StreamName: "ghost" }),
    });
    expect(res.status).toBe(404);
    expect(res.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
    expect(res.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    const body = (await res.json()) as { __type: string; Message: string };
    expect(body.__type).toBe("ResourceNotFoundException");
    expect(body.Message).toContain("ghost");
    const notJson = await fetch(`${kvs.endpoint}/describeStream`, {
      method: "POST",
      body: "{oops",
    });
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get("x-amzn-errortype")).toBe("SerializationException");
  });

  it("reaches the data plane only through the endpoint GetDataEndpoint returns", async () => {
    expect(await dataEndpoint(kvs.endpoint, "errs", "GET_CLIP" as APIName)).toBe(kvs.endpoint);
  });
});
