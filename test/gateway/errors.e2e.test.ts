// Every typed error the gateway's fields can produce against kvs-local: argument checks before
// any upstream call, and each KVS exception (injected at the backend) as its GraphQL type.

import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayApp } from "../../src/gateway/app.ts";
import type { Fault } from "../../src/local-kvs/index.ts";
import { executeHttp, executeWs, subscribeWs, wsClient } from "../support/graphql.ts";
import { clientConfig, createStreams } from "../support/kvs-local.ts";
import { startLiveProducer } from "../support/seed.ts";
import { type Stack, startStack } from "../support/stack.ts";
import { waitFor } from "../support/wait.ts";
import { FragmentsQuery, ListStreamsQuery, StreamQuery } from "./documents.ts";
import { FragmentsSubscription } from "./subscriptions/documents.ts";

let stack: Stack;
let ws: Client;

beforeAll(async () => {
  stack = await startStack();
  ws = wsClient(stack.wsUrl);
  await createStreams(stack.kvs.endpoint, ["cam"]);
});

afterAll(async () => {
  await ws?.dispose();
  await stack?.stop();
});

const REQUEST_ID = expect.stringMatching(/^[0-9a-f-]{36}$/);
const RANGE = { start: "2024-01-17T11:00:00.000Z", end: "2024-01-17T12:00:00.000Z" };
const UPSTREAM_OPERATIONS = ["ListStreams", "DescribeStream", "GetDataEndpoint", "ListFragments"];

function upstreamCalls(): number {
  return UPSTREAM_OPERATIONS.reduce((sum, operation) => sum + stack.kvs.stats.count(operation), 0);
}

function invalidArgument(argument: string, message: unknown = expect.any(String)) {
  return {
    __typename: "InvalidArgument",
    code: "InvalidArgumentException",
    message,
    retryable: false,
    requestId: null,
    argument,
  };
}

describe("argument checks answer InvalidArgument before any upstream call", () => {
  it.each([
    [{ name: "bad name!" }, "name"],
    [{ name: "x".repeat(257) }, "name"],
    [{}, "name"],
    [{ name: "cam", arn: "arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam/1" }, "arn"],
    [{ arn: "arn:aws:s3:::bucket" }, "arn"],
  ])("stream(%j) → InvalidArgument(%s)", async (variables, argument) => {
    const before = upstreamCalls();
    const response = await executeHttp(stack.graphqlUrl, StreamQuery, variables);
    expect(response).toEqual({ data: { stream: invalidArgument(argument) } });
    expect(upstreamCalls()).toBe(before);
  });

  it.each([
    [{ first: 0 }, "first"],
    [{ first: 1001 }, "first"],
    [{ nameStartsWith: "" }, "nameStartsWith"],
    [{ nameStartsWith: "no/slash" }, "nameStartsWith"],
    [{ after: "not-a-cursor" }, "after"],
  ])("streams(%j) → InvalidArgument(%s)", async (variables, argument) => {
    const before = upstreamCalls();
    const response = await executeHttp(stack.graphqlUrl, ListStreamsQuery, variables);
    expect(response).toEqual({ data: { streams: invalidArgument(argument) } });
    expect(upstreamCalls()).toBe(before);
  });

  it("refuses a streams cursor given to fragments, a reversed range and a page too large", async () => {
    const streams = await executeHttp(stack.graphqlUrl, ListStreamsQuery, { first: 1 });
    const streamsCursor =
      streams.data?.streams?.__typename === "StreamConnection"
        ? streams.data.streams.pageInfo.endCursor
        : null;
    expect(streamsCursor).toEqual(expect.any(String));
    const cases = [
      [{ range: RANGE, after: streamsCursor as string }, "after"],
      [{ range: { start: RANGE.end, end: RANGE.start } }, "range"],
      [{ range: RANGE, first: 5000 }, "first"],
    ] as const;
    for (const [variables, argument] of cases) {
      const before =
        stack.kvs.stats.count("GetDataEndpoint") + stack.kvs.stats.count("ListFragments");
      const response = await executeHttp(stack.graphqlUrl, FragmentsQuery, {
        name: "cam",
        ...variables,
      });
      expect(response).toEqual({
        data: {
          stream: { __typename: "Stream", name: "cam", fragments: invalidArgument(argument) },
        },
      });
      expect(
        stack.kvs.stats.count("GetDataEndpoint") + stack.kvs.stats.count("ListFragments"),
      ).toBe(before);
    }
  });

  it("reports an unparsable DateTime as a GraphQL error", async () => {
    const response = await executeHttp(stack.graphqlUrl, FragmentsQuery, {
      name: "cam",
      range: { start: "yesterday", end: RANGE.end },
    });
    expect(response).toEqual({
      errors: [
        {
          message: expect.stringContaining("DateTime must be an ISO 8601 string"),
          locations: [{ line: 1, column: expect.any(Number) }],
        },
      ],
    });
  });
});

/** [operation to fault, fault, expected __typename, code, retryable, extra fields] */
type ErrorCase = [string, Fault, string, string, boolean, Record<string, unknown>?];

const exception = (name: string, status?: number): Fault => ({
  kind: "exception",
  exception: name,
  message: `injected ${name}`,
  ...(status ? { status } : {}),
});

const KVS_CASES: ErrorCase[] = [
  [
    "ClientLimitExceededException",
    exception("ClientLimitExceededException"),
    "ClientLimitExceeded",
    "ClientLimitExceededException",
    true,
  ],
  [
    "NotAuthorizedException",
    exception("NotAuthorizedException"),
    "NotAuthorized",
    "NotAuthorizedException",
    false,
  ],
  [
    "AccessDeniedException",
    exception("AccessDeniedException"),
    "NotAuthorized",
    "AccessDeniedException",
    false,
  ],
  [
    "ResourceNotFoundException",
    exception("ResourceNotFoundException"),
    "ResourceNotFound",
    "ResourceNotFoundException",
    false,
  ],
  [
    "InvalidArgumentException",
    exception("InvalidArgumentException"),
    "InvalidArgument",
    "InvalidArgumentException",
    false,
    { argument: null },
  ],
  [
    "HTTP 500",
    { kind: "status", status: 500 },
    "UpstreamUnavailable",
    "InternalFailure",
    true,
    { httpStatus: 500 },
  ],
  [
    "HTTP 503",
    { kind: "status", status: 503 },
    "UpstreamUnavailable",
    "ServiceUnavailable",
    true,
    { httpStatus: 503 },
  ],
];

function typedError(
  typename: string,
  code: string,
  retryable: boolean,
  extra: Record<string, unknown> = {},
) {
  return {
    __typename: typename,
    code,
    message: expect.any(String),
    retryable,
    requestId: REQUEST_ID,
    ...extra,
  };
}

describe("KVS exceptions of DescribeStream become typed stream results", () => {
  it.each(KVS_CASES)("%s", async (_label, fault, typename, code, retryable, extra) => {
    stack.kvs.faults.inject("DescribeStream", fault);
    const response = await executeHttp(stack.graphqlUrl, StreamQuery, { name: "cam" });
    expect(response).toEqual({ data: { stream: typedError(typename, code, retryable, extra) } });
  });
});

describe("KVS exceptions of ListStreams become typed streams results", () => {
  it.each(
    KVS_CASES.filter(([, , typename]) =>
      ["ClientLimitExceeded", "InvalidArgument", "UpstreamUnavailable"].includes(typename),
    ),
  )("%s", async (_label, fault, typename, code, retryable, extra) => {
    stack.kvs.faults.inject("ListStreams", fault);
    const response = await executeHttp(stack.graphqlUrl, ListStreamsQuery, {});
    expect(response).toEqual({ data: { streams: typedError(typename, code, retryable, extra) } });
  });
});

describe.each(["GetDataEndpoint", "ListFragments"])(
  "KVS exceptions of %s become typed fragments results",
  (operation) => {
    it.each(KVS_CASES)("%s", async (_label, fault, typename, code, retryable, extra) => {
      // A fresh endpoint lookup each time, so GetDataEndpoint is really called.
      stack.services.endpoints.clear();
      stack.kvs.faults.inject(operation, fault);
      const response = await executeHttp(stack.graphqlUrl, FragmentsQuery, {
        name: "cam",
        range: RANGE,
      });
      expect(response).toEqual({
        data: {
          stream: {
            __typename: "Stream",
            name: "cam",
            fragments: typedError(typename, code, retryable, extra),
          },
        },
      });
    });
  },
);

describe("errors over graphql-ws", () => {
  it("carries the same typed errors", async () => {
    expect(await executeWs(ws, StreamQuery, { name: "nope" })).toEqual({
      data: { stream: typedError("ResourceNotFound", "ResourceNotFoundException", false) },
    });
    stack.kvs.faults.inject("DescribeStream", exception("ClientLimitExceededException"));
    expect(await executeWs(ws, StreamQuery, { name: "cam" })).toEqual({
      data: { stream: typedError("ClientLimitExceeded", "ClientLimitExceededException", true) },
    });
    expect(await executeWs(ws, StreamQuery, { name: "a b" })).toEqual({
      data: { stream: invalidArgument("name") },
    });
  });
});

describe("a bad operation over graphql-ws", () => {
  /** What one operation ends with: the `error` message's errors, or its first result. */
  async function outcome(client: Client, query: string): Promise<unknown> {
    try {
      for await (const result of client.iterate({ query })) return { result };
      return "completed without a result";
    } catch (errors) {
      return { errors };
    }
  }

  it("gets an error of its own while the socket and its other operations carry on", async () => {
    const live = await startLiveProducer(stack.kvs, "ws-bad-op");
    const socket = wsClient(stack.wsUrl);
    let connections = 0;
    const closes: unknown[] = [];
    socket.on("connected", () => connections++);
    socket.on("closed", (event) => closes.push(event));
    try {
      const subscription = subscribeWs(socket, FragmentsSubscription, {
        name: "ws-bad-op",
        start: { type: "NOW" },
      });
      const firstEvent = subscription.next();
      await waitFor(() => stack.kvs.stats.inProgress("GetMedia") === 1, 5000, "GetMedia to open");

      expect(await outcome(socket, 'subscription { fragments(name: "ws-bad-op" {')).toEqual({
        errors: [expect.objectContaining({ message: expect.stringMatching(/^Syntax Error/) })],
      });
      expect(
        await outcome(socket, 'subscription { fragments(name: "ws-bad-op") { nope } }'),
      ).toEqual({
        errors: [
          expect.objectContaining({
            message: 'Cannot query field "nope" on type "FragmentSubscriptionEvent".',
          }),
        ],
      });
      expect(await outcome(socket, "{ nope }")).toEqual({
        errors: [expect.objectContaining({ message: expect.stringContaining('"nope"') })],
      });

      // A query on the same socket still completes, and the subscription still delivers.
      expect(await executeWs(socket, StreamQuery, { name: "ws-bad-op" })).toEqual({
        data: { stream: expect.objectContaining({ __typename: "Stream", name: "ws-bad-op" }) },
      });
      const [sent] = await live.send(1);
      const event = await firstEvent;
      expect(event.value?.data?.fragments).toMatchObject({
        __typename: "FragmentEvent",
        fragmentNumber: sent,
      });
      await subscription.return?.();
      expect({ connections, closes }).toEqual({ connections: 1, closes: [] });
    } finally {
      await socket.dispose();
      await live.stop();
    }
  });
});

describe("failures outside a field's union", () => {
  it("masks an unexpected upstream answer", async () => {
    stack.kvs.faults.inject("DescribeStream", exception("BogusException", 400));
    const response = await executeHttp(stack.graphqlUrl, StreamQuery, { name: "cam" });
    expect(response).toEqual({
      data: { stream: null },
      errors: [
        {
          message: "Unexpected error.",
          locations: expect.any(Array),
          path: ["stream"],
          extensions: { code: "INTERNAL_SERVER_ERROR" },
        },
      ],
    });
  });

  it("reports a KVS exception a field can't type (InvalidEndpoint twice on ListFragments) with its code", async () => {
    stack.services.endpoints.clear();
    stack.kvs.faults.inject("ListFragments", {
      ...exception("InvalidEndpointException"),
      times: 2,
    });
    const response = await executeHttp(stack.graphqlUrl, FragmentsQuery, {
      name: "cam",
      range: RANGE,
    });
    expect(response).toEqual({
      data: { stream: { __typename: "Stream", name: "cam", fragments: null } },
      errors: [
        {
          message: "injected InvalidEndpointException",
          locations: expect.any(Array),
          path: ["stream", "fragments"],
          extensions: {
            code: "InvalidEndpointException",
            type: "InvalidEndpoint",
            retryable: true,
            requestId: REQUEST_ID,
          },
        },
      ],
    });
  });
});

describe("an unreachable KVS", () => {
  it("is UpstreamUnavailable with the socket error as code", async () => {
    const app = createGatewayApp({
      kvs: clientConfig("http://127.0.0.1:1"),
      endpointCache: { ttlMs: 60_000, max: 10 },
      corsOrigins: [],
      clipSigningKeys: [],
      graphiql: false,
    });
    try {
      const { graphqlUrl } = await app.start();
      expect(await executeHttp(graphqlUrl, StreamQuery, { name: "cam" })).toEqual({
        data: {
          stream: {
            __typename: "UpstreamUnavailable",
            code: "ECONNREFUSED",
            message: expect.stringContaining("KVS could not be reached"),
            retryable: true,
            requestId: null,
            httpStatus: null,
          },
        },
      });
    } finally {
      await app.stop();
    }
  });
});
