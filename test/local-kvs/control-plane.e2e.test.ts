import {
  APIName,
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  GetDataEndpointCommand,
  type KinesisVideoClient,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  TagStreamCommand,
  UntagStreamCommand,
  UpdateDataRetentionCommand,
  UpdateStreamCommand,
} from "@aws-sdk/client-kinesis-video";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalKvs } from "../../src/local-kvs/index.ts";
import { controlPlane, startLocalKvs } from "../support/kvs-local.ts";

describe("control plane through @aws-sdk/client-kinesis-video", () => {
  let kvs: LocalKvs;
  let client: KinesisVideoClient;

  beforeAll(async () => {
    kvs = await startLocalKvs([], { region: "eu-west-1", accountId: "111122223333" });
    client = controlPlane(kvs.endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await kvs?.stop();
  });

  it("creates a stream with a real-looking ARN and describes it by name and by ARN", async () => {
    const before = Date.now();
    const created = await client.send(
      new CreateStreamCommand({
        StreamName: "front-door.cam_1",
        DeviceName: "pi-4",
        MediaType: "video/h264",
        DataRetentionInHours: 48,
        Tags: { site: "home" },
      }),
    );
    expect(created.StreamARN).toMatch(
      /^arn:aws:kinesisvideo:eu-west-1:111122223333:stream\/front-door\.cam_1\/\d{13}$/,
    );
    const byName = await client.send(new DescribeStreamCommand({ StreamName: "front-door.cam_1" }));
    const byArn = await client.send(new DescribeStreamCommand({ StreamARN: created.StreamARN }));
    expect(byArn.StreamInfo).toEqual(byName.StreamInfo);
    const info = byName.StreamInfo;
    expect(info?.StreamARN).toBe(created.StreamARN);
    expect(info?.Status).toBe("ACTIVE");
    expect(info?.DeviceName).toBe("pi-4");
    expect(info?.MediaType).toBe("video/h264");
    expect(info?.DataRetentionInHours).toBe(48);
    expect(info?.Version).toMatch(/^[a-zA-Z0-9]+$/);
    expect(info?.KmsKeyId).toContain("alias/aws/kinesisvideo");
    // Millisecond precision survives the JSON epoch-seconds timestamp.
    const created_ms = info?.CreationTime?.getTime() ?? 0;
    expect(created_ms).toBeGreaterThanOrEqual(before);
    expect(created_ms).toBe(Number(created.StreamARN?.split("/").at(-1)));
  });

  it("returns this server's base URL from GetDataEndpoint for every APIName", async () => {
    // Every value the SDK knows, so the list cannot drift from the server's own.
    for (const apiName of Object.values(APIName)) {
      const out = await client.send(
        new GetDataEndpointCommand({ StreamName: "front-door.cam_1", APIName: apiName }),
      );
      expect(out.DataEndpoint).toBe(kvs.endpoint);
    }
  });

  it("pages ListStreams and filters by prefix", async () => {
    for (const name of ["lot-a", "lot-b", "lot-c", "other"]) {
      await client.send(new CreateStreamCommand({ StreamName: name }));
    }
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListStreamsCommand({ MaxResults: 2, NextToken: token }));
      names.push(...(page.StreamInfoList ?? []).map((s) => s.StreamName ?? ""));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(names).toEqual(["front-door.cam_1", "lot-a", "lot-b", "lot-c", "other"]);
    const lots = await client.send(
      new ListStreamsCommand({
        StreamNameCondition: { ComparisonOperator: "BEGINS_WITH", ComparisonValue: "lot-" },
      }),
    );
    expect(lots.StreamInfoList?.map((s) => s.StreamName)).toEqual(["lot-a", "lot-b", "lot-c"]);
  });

  it("takes NextTokens of up to 1024 characters, as the model allows", async () => {
    // A token of 1024 characters (what a KVS token may be), and one past the limit.
    const token = (length: number) =>
      Buffer.from(`after:${"z".repeat(length)}`)
        .toString("base64")
        .slice(0, length);
    const longest = token(1024);
    expect(longest).toHaveLength(1024);
    const page = await client.send(new ListStreamsCommand({ NextToken: longest }));
    expect(page.StreamInfoList).toEqual([]);
    await client.send(new ListTagsForStreamCommand({ StreamName: "lot-a", NextToken: longest }));
    for (const send of [
      () => client.send(new ListStreamsCommand({ NextToken: token(1028) })),
      () =>
        client.send(new ListTagsForStreamCommand({ StreamName: "lot-a", NextToken: token(1028) })),
    ]) {
      await expect(send()).rejects.toMatchObject({ name: "InvalidArgumentException" });
    }
  });

  it("updates data retention with the current version and rejects a stale one", async () => {
    const { StreamInfo } = await client.send(new DescribeStreamCommand({ StreamName: "lot-a" }));
    await client.send(
      new UpdateDataRetentionCommand({
        StreamName: "lot-a",
        CurrentVersion: StreamInfo?.Version,
        Operation: "INCREASE_DATA_RETENTION",
        DataRetentionChangeInHours: 5,
      }),
    );
    const after = await client.send(new DescribeStreamCommand({ StreamName: "lot-a" }));
    expect(after.StreamInfo?.DataRetentionInHours).toBe(5);
    expect(after.StreamInfo?.Version).not.toBe(StreamInfo?.Version);
    await expect(
      client.send(
        new UpdateDataRetentionCommand({
          StreamName: "lot-a",
          CurrentVersion: StreamInfo?.Version,
          Operation: "DECREASE_DATA_RETENTION",
          DataRetentionChangeInHours: 1,
        }),
      ),
    ).rejects.toMatchObject({
      name: "VersionMismatchException",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      client.send(
        new UpdateDataRetentionCommand({
          StreamName: "lot-a",
          CurrentVersion: after.StreamInfo?.Version,
          Operation: "DECREASE_DATA_RETENTION",
          DataRetentionChangeInHours: 6,
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidArgumentException" });
  });

  it("tags, untags and updates a stream", async () => {
    await client.send(new TagStreamCommand({ StreamName: "lot-b", Tags: { a: "1", b: "2" } }));
    await client.send(new UntagStreamCommand({ StreamName: "lot-b", TagKeyList: ["a"] }));
    const tags = await client.send(new ListTagsForStreamCommand({ StreamName: "lot-b" }));
    expect(tags.Tags).toEqual({ b: "2" });
    const { StreamInfo } = await client.send(new DescribeStreamCommand({ StreamName: "lot-b" }));
    await client.send(
      new UpdateStreamCommand({
        StreamName: "lot-b",
        CurrentVersion: StreamInfo?.Version,
        MediaType: "video/h265",
      }),
    );
    const after = await client.send(new DescribeStreamCommand({ StreamName: "lot-b" }));
    expect(after.StreamInfo?.MediaType).toBe("video/h265");
  });

  it("deletes a stream, checking CurrentVersion, and the name becomes free again", async () => {
    const { StreamInfo } = await client.send(new DescribeStreamCommand({ StreamName: "lot-c" }));
    await expect(
      client.send(
        new DeleteStreamCommand({ StreamARN: StreamInfo?.StreamARN, CurrentVersion: "stale1" }),
      ),
    ).rejects.toMatchObject({ name: "VersionMismatchException" });
    await client.send(
      new DeleteStreamCommand({
        StreamARN: StreamInfo?.StreamARN,
        CurrentVersion: StreamInfo?.Version,
      }),
    );
    await expect(
      client.send(new DescribeStreamCommand({ StreamName: "lot-c" })),
    ).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      $metadata: { httpStatusCode: 404 },
    });
    await client.send(new CreateStreamCommand({ StreamName: "lot-c" }));
    const again = await client.send(new DescribeStreamCommand({ StreamName: "lot-c" }));
    expect(again.StreamInfo?.StreamARN).not.toBe(StreamInfo?.StreamARN);
  });

  it("counts requests per operation", async () => {
    kvs.stats.reset();
    await client.send(new DescribeStreamCommand({ StreamName: "lot-a" }));
    await expect(client.send(new DescribeStreamCommand({ StreamName: "nope" }))).rejects.toThrow();
    expect(kvs.stats.count("DescribeStream")).toBe(2);
    expect(kvs.stats.count("ListStreams")).toBe(0);
  });
});
