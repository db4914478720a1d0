// Streams through the gateway, over HTTP and over graphql-ws, against kvs-local.

import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeHttp, executeWs, wsClient } from "../support/graphql.ts";
import { createStreams } from "../support/kvs-local.ts";
import { type Stack, startStack } from "../support/stack.ts";
import { ListStreamsQuery, StreamQuery, StreamThreeWaysQuery } from "./documents.ts";

const NAMES = ["alpha-1", "alpha-2", "alpha-3", "beta-1", "gamma"];

let stack: Stack;
let ws: Client;
let arns: Map<string, string>;

beforeAll(async () => {
  stack = await startStack();
  ws = wsClient(stack.wsUrl);
  const created = await createStreams(stack.kvs.endpoint, NAMES, {
    dataRetentionInHours: 2,
    mediaType: "video/h264",
    deviceName: "camera-7",
  });
  arns = new Map(NAMES.map((name, index) => [name, created[index] as string]));
});

afterAll(async () => {
  await ws?.dispose();
  await stack?.stop();
});

const globalId = (arn: string) => Buffer.from(`Stream:${arn}`).toString("base64");

/** The Stream as the gateway must show it, from the backend's own record of it. */
function expectedStream(name: string) {
  const arn = arns.get(name) as string;
  const record = stack.kvs.store.getStreamByArn(arn);
  if (!record) throw new Error(`no stream ${name}`);
  return {
    __typename: "Stream",
    id: globalId(arn),
    name,
    arn,
    status: "ACTIVE",
    mediaType: "video/h264",
    kmsKeyId: record.kmsKeyId,
    dataRetentionInHours: 2,
    version: record.version,
    // The ARN ends with the creation time in ms: createdAt must keep every millisecond.
    createdAt: new Date(Number(arn.split("/").at(-1))).toISOString(),
    deviceName: "camera-7",
  };
}

type ListStreamsVariables = { first?: number; after?: string; nameStartsWith?: string };

async function listAll(variables: ListStreamsVariables, via: "http" | "ws") {
  const pages: Array<{ names: string[]; hasNextPage: boolean }> = [];
  let after: string | undefined;
  for (let guard = 0; guard < 10; guard++) {
    const vars = { ...variables, ...(after ? { after } : {}) };
    const response =
      via === "http"
        ? await executeHttp(stack.graphqlUrl, ListStreamsQuery, vars)
        : await executeWs(ws, ListStreamsQuery, vars);
    expect(response.errors).toBeUndefined();
    const streams = response.data?.streams;
    if (streams?.__typename !== "StreamConnection")
      throw new Error(`unexpected ${JSON.stringify(streams)}`);
    expect(streams.pageInfo.hasPreviousPage).toBe(false);
    expect(streams.pageInfo.startCursor).toBe(streams.edges[0]?.cursor ?? null);
    expect(streams.pageInfo.endCursor).toBe(streams.edges.at(-1)?.cursor ?? null);
    for (const edge of streams.edges) expect(edge.node.arn).toBe(arns.get(edge.node.name));
    pages.push({
      names: streams.edges.map((edge) => edge.node.name),
      hasNextPage: streams.pageInfo.hasNextPage,
    });
    if (!streams.pageInfo.hasNextPage) return pages;
    after = streams.pageInfo.endCursor ?? undefined;
  }
  throw new Error("paging did not end");
}

describe.each(["http", "ws"] as const)("streams over %s", (via) => {
  it("pages through every stream, first: 2 at a time", async () => {
    expect(await listAll({ first: 2 }, via)).toEqual([
      { names: ["alpha-1", "alpha-2"], hasNextPage: true },
      { names: ["alpha-3", "beta-1"], hasNextPage: true },
      { names: ["gamma"], hasNextPage: false },
    ]);
  });

  it("lists only names with the prefix", async () => {
    expect(await listAll({ first: 2, nameStartsWith: "alpha-" }, via)).toEqual([
      { names: ["alpha-1", "alpha-2"], hasNextPage: true },
      { names: ["alpha-3"], hasNextPage: false },
    ]);
    expect(await listAll({ nameStartsWith: "zeta" }, via)).toEqual([
      { names: [], hasNextPage: false },
    ]);
  });

  it("resumes from any edge's cursor, not only the end cursor", async () => {
    const first = await executeHttp(stack.graphqlUrl, ListStreamsQuery, { first: 3 });
    const streams = first.data?.streams;
    if (streams?.__typename !== "StreamConnection") throw new Error("no connection");
    const middle = streams.edges[0]?.cursor as string;
    const rest = await listAll({ first: 10, after: middle }, via);
    expect(rest).toEqual([
      { names: ["alpha-2", "alpha-3", "beta-1", "gamma"], hasNextPage: false },
    ]);
  });

  it("finds a stream by name, by ARN and by node id with one DescribeStream", async () => {
    const arn = arns.get("beta-1") as string;
    const before = stack.kvs.stats.count("DescribeStream");
    const variables = { name: "beta-1", arn, id: globalId(arn) };
    const response =
      via === "http"
        ? await executeHttp(stack.graphqlUrl, StreamThreeWaysQuery, variables)
        : await executeWs(ws, StreamThreeWaysQuery, variables);
    const stream = expectedStream("beta-1");
    expect(response).toEqual({ data: { byName: stream, byArn: stream, byId: stream } });
    expect(stack.kvs.stats.count("DescribeStream") - before).toBe(1);
  });
});

describe("stream lookups", () => {
  it("answers an unknown node id with null and an unknown name with ResourceNotFound", async () => {
    const arn = "arn:aws:kinesisvideo:us-east-1:123456789012:stream/missing/1700000000000";
    const response = await executeHttp(stack.graphqlUrl, StreamThreeWaysQuery, {
      name: "missing",
      arn,
      id: globalId(arn),
    });
    const notFound = {
      __typename: "ResourceNotFound",
      code: "ResourceNotFoundException",
      message: expect.stringContaining("missing"),
      retryable: false,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    };
    expect(response).toEqual({ data: { byName: notFound, byArn: notFound, byId: null } });
  });

  it("names the stream in one request only once, however often it is asked for", async () => {
    const before = stack.kvs.stats.count("DescribeStream");
    const response = await executeHttp(stack.graphqlUrl, StreamQuery, { name: "gamma" });
    expect(response).toEqual({ data: { stream: expectedStream("gamma") } });
    expect(stack.kvs.stats.count("DescribeStream") - before).toBe(1);
  });
});
