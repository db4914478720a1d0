// One GraphQL operation may make a bounded number of KVS calls; past it, fields fail alone.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeHttp } from "../support/graphql.ts";
import { createStreams } from "../support/kvs-local.ts";
import { type Stack, startStack } from "../support/stack.ts";
import { StreamsWithFragmentsQuery } from "./documents.ts";

const RANGE = { start: "2024-01-17T11:00:00.000Z", end: "2024-01-17T12:00:00.000Z" };

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ gateway: { maxUpstreamCallsPerOperation: 3 } });
  await createStreams(stack.kvs.endpoint, ["b-1", "b-2", "b-3"]);
});

afterAll(async () => {
  await stack?.stop();
});

describe("the upstream call budget", () => {
  it("fails the field that would exceed it and keeps the rest of the answer", async () => {
    const listsBefore = stack.kvs.stats.count("ListFragments");
    const response = await executeHttp(stack.graphqlUrl, StreamsWithFragmentsQuery, {
      nameStartsWith: "b-",
      range: RANGE,
    });
    const empty = { __typename: "FragmentConnection", edges: [] };
    expect(response).toEqual({
      data: {
        streams: {
          __typename: "StreamConnection",
          edges: [
            { node: { name: "b-1", fragments: empty } },
            { node: { name: "b-2", fragments: empty } },
            { node: { name: "b-3", fragments: null } },
          ],
        },
      },
      errors: [
        {
          message: expect.stringContaining("needs more than 3 Kinesis Video Streams calls"),
          locations: expect.any(Array),
          path: ["streams", "edges", 2, "node", "fragments"],
          extensions: { code: "UPSTREAM_CALL_BUDGET_EXCEEDED", limit: 3 },
        },
      ],
    });
    // ListStreams + two ListFragments: the refused call never reached KVS.
    expect(stack.kvs.stats.count("ListFragments") - listsBefore).toBe(2);
  });
});
