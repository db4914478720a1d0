// GetDataEndpoint calls counted at kvs-local: one per (stream, APIName) per TTL however many
// requests run at once, a new one after eviction or expiry, and evict-and-retry-once when the
// data endpoint answers InvalidEndpointException.

import { ListFragmentsCommand } from "@aws-sdk/client-kinesis-video-archived-media";
import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeHttp, executeWs, wsClient } from "../support/graphql.ts";
import { createStreams } from "../support/kvs-local.ts";
import { type Stack, startStack } from "../support/stack.ts";
import { FragmentsQuery, StreamsWithFragmentsQuery } from "./documents.ts";

const RANGE = { start: "2024-01-17T11:00:00.000Z", end: "2024-01-17T12:00:00.000Z" };
const NAMES = ["lot-a", "lot-b", "lot-c"];

describe("the shared endpoint cache", () => {
  let stack: Stack;
  let ws: Client;
  let arns: string[];

  beforeAll(async () => {
    stack = await startStack();
    ws = wsClient(stack.wsUrl);
    arns = await createStreams(stack.kvs.endpoint, NAMES);
  });

  afterAll(async () => {
    await ws?.dispose();
    await stack?.stop();
  });

  /** 20 HTTP and 10 WebSocket requests at once, each listing fragments of every stream. */
  async function burst() {
    const variables = { nameStartsWith: "lot-", range: RANGE };
    const results = await Promise.all([
      ...Array.from({ length: 20 }, () =>
        executeHttp(stack.graphqlUrl, StreamsWithFragmentsQuery, variables),
      ),
      ...Array.from({ length: 10 }, () => executeWs(ws, StreamsWithFragmentsQuery, variables)),
    ]);
    const expected = {
      data: {
        streams: {
          __typename: "StreamConnection",
          edges: NAMES.map((name) => ({
            node: { name, fragments: { __typename: "FragmentConnection", edges: [] } },
          })),
        },
      },
    };
    for (const result of results) expect(result).toEqual(expected);
  }

  it("makes one GetDataEndpoint call per (stream, API) for many concurrent requests", async () => {
    const before = stack.kvs.stats.count("GetDataEndpoint");
    await burst();
    expect(stack.kvs.stats.count("GetDataEndpoint") - before).toBe(NAMES.length);
    // Every request listed fragments of all three streams.
    expect(stack.kvs.stats.count("ListFragments")).toBeGreaterThanOrEqual(30 * NAMES.length);
    await burst();
    expect(stack.kvs.stats.count("GetDataEndpoint") - before).toBe(NAMES.length);
  });

  it("fetches an evicted endpoint again, once", async () => {
    const before = stack.kvs.stats.count("GetDataEndpoint");
    stack.services.endpoints.evict({ stream: { arn: arns[1] as string }, api: "LIST_FRAGMENTS" });
    await burst();
    expect(stack.kvs.stats.count("GetDataEndpoint") - before).toBe(1);
  });

  it("evicts and retries once when the data endpoint answers InvalidEndpointException", async () => {
    const endpointsBefore = stack.kvs.stats.count("GetDataEndpoint");
    const listsBefore = stack.kvs.stats.count("ListFragments");
    stack.kvs.faults.inject("ListFragments", {
      kind: "exception",
      exception: "InvalidEndpointException",
    });
    const response = await executeHttp(stack.graphqlUrl, FragmentsQuery, {
      name: "lot-a",
      range: RANGE,
    });
    expect(response).toEqual({
      data: {
        stream: {
          __typename: "Stream",
          name: "lot-a",
          fragments: {
            __typename: "FragmentConnection",
            edges: [],
            pageInfo: { hasNextPage: false, endCursor: null },
          },
        },
      },
    });
    expect(stack.kvs.stats.count("GetDataEndpoint") - endpointsBefore).toBe(1);
    expect(stack.kvs.stats.count("ListFragments") - listsBefore).toBe(2);
  });

  it("evicts and retries once when the data endpoint refuses the connection", async () => {
    const stream = { arn: arns[2] as string };
    const loader = stack.services.endpoints.loader();
    await loader.load(stream, "LIST_FRAGMENTS");
    const endpointsBefore = stack.kvs.stats.count("GetDataEndpoint");
    const tried: string[] = [];
    const output = await loader.withEndpoint(stream, "LIST_FRAGMENTS", (endpoint) => {
      // The first attempt goes to a dead endpoint, as if the stream's endpoint had moved.
      const target = tried.length === 0 ? "http://127.0.0.1:1" : endpoint;
      tried.push(target);
      return stack.services.clients.archivedMedia(target).send(
        new ListFragmentsCommand({
          StreamARN: stream.arn,
          FragmentSelector: {
            FragmentSelectorType: "SERVER_TIMESTAMP",
            TimestampRange: {
              StartTimestamp: new Date(RANGE.start),
              EndTimestamp: new Date(RANGE.end),
            },
          },
        }),
      );
    });
    expect(output.Fragments).toEqual([]);
    expect(tried).toEqual(["http://127.0.0.1:1", stack.kvs.endpoint]);
    expect(stack.kvs.stats.count("GetDataEndpoint") - endpointsBefore).toBe(1);
  });
});

describe("endpoint expiry", () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ gateway: { endpointCache: { ttlMs: 300, max: 100 } } });
    await createStreams(stack.kvs.endpoint, ["short-lived"]);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("calls GetDataEndpoint again once the TTL has passed", async () => {
    const query = () =>
      executeHttp(stack.graphqlUrl, FragmentsQuery, { name: "short-lived", range: RANGE });
    await Promise.all([query(), query(), query()]);
    expect(stack.kvs.stats.count("GetDataEndpoint")).toBe(1);
    await query();
    expect(stack.kvs.stats.count("GetDataEndpoint")).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 350));
    await Promise.all([query(), query(), query()]);
    expect(stack.kvs.stats.count("GetDataEndpoint")).toBe(2);
  });
});
