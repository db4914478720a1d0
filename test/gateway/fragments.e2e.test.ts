// Stream.fragments through the gateway against kvs-local holding clusters.mkv, ingested with
// PutMedia (RELATIVE timecodes from a producer start with milliseconds).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FragmentRecord } from "../../src/local-kvs/index.ts";
import type { FragmentsQueryVariables } from "../generated/graphql.ts";
import { fixture } from "../support/fixtures.ts";
import { executeHttp } from "../support/graphql.ts";
import { createStreams } from "../support/kvs-local.ts";
import { ingestAt } from "../support/seed.ts";
import { type Stack, startStack } from "../support/stack.ts";
import { FragmentsQuery } from "./documents.ts";

/** Cluster timecodes (ms) of clusters.mkv, from fixtures/getmedia/expected.json. */
const TIMECODES = [0, 1999, 3999, 5998, 7998, 9998, 11997, 13997];
const T0 = Date.parse("2024-01-17T11:23:56.421Z");
const iso = (ms: number) => new Date(ms).toISOString();

let stack: Stack;
let numbers: string[];
let records: FragmentRecord[];

beforeAll(async () => {
  stack = await startStack();
  const [arn] = await createStreams(stack.kvs.endpoint, ["cam"]);
  numbers = await ingestAt(stack.kvs.endpoint, "cam", fixture("clusters.mkv"), T0);
  records = stack.kvs.store.listFragments(arn as string);
});

afterAll(async () => {
  await stack?.stop();
});

/** A fragment as the gateway must show it: producer time from the fixture, the rest as stored. */
function expectedFragment(index: number) {
  const record = records[index] as FragmentRecord;
  return {
    number: numbers[index],
    producerTimestamp: iso(T0 + (TIMECODES[index] as number)),
    serverTimestamp: iso(record.serverTimestampMs),
    sizeBytes: record.sizeBytes,
    durationMs: record.durationMs,
  };
}

async function page(variables: FragmentsQueryVariables) {
  const response = await executeHttp(stack.graphqlUrl, FragmentsQuery, variables);
  expect(response.errors).toBeUndefined();
  const stream = response.data?.stream;
  if (stream?.__typename !== "Stream") throw new Error(`unexpected ${JSON.stringify(response)}`);
  return stream.fragments;
}

describe("Stream.fragments", () => {
  it("ingested the fixture's eight clusters as eight fragments", () => {
    expect(numbers).toHaveLength(8);
    expect(records.map((record) => record.fragmentNumber)).toEqual(numbers);
  });

  it("lists a producer-time range in order, with millisecond timestamps", async () => {
    const fragments = await page({
      name: "cam",
      range: { start: iso(T0 + 1999), end: iso(T0 + 7998) },
      timestampType: "PRODUCER_TIMESTAMP",
    });
    expect(fragments).toEqual({
      __typename: "FragmentConnection",
      edges: [1, 2, 3, 4].map((index) => ({
        cursor: expect.any(String),
        node: expectedFragment(index),
      })),
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
    });
  });

  it("accepts DateTime inputs with an offset and sub-millisecond digits", async () => {
    const fragments = await page({
      name: "cam",
      // T0 + 3999 ms = 11:24:00.420Z, written in +01:00 with extra digits.
      range: { start: "2024-01-17T12:24:00.420999+01:00", end: "2024-01-17T12:24:00.420+01:00" },
      timestampType: "PRODUCER_TIMESTAMP",
    });
    expect(fragments).toEqual({
      __typename: "FragmentConnection",
      edges: [{ cursor: expect.any(String), node: expectedFragment(2) }],
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
    });
  });

  it.each([1, 3, 8])(
    "pages through the whole range %i at a time without gaps or repeats",
    async (first) => {
      const seen: string[] = [];
      let after: string | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const fragments = await page({
          name: "cam",
          range: { start: iso(T0), end: iso(T0 + 60_000) },
          timestampType: "PRODUCER_TIMESTAMP",
          first,
          ...(after ? { after } : {}),
        });
        if (fragments?.__typename !== "FragmentConnection")
          throw new Error(JSON.stringify(fragments));
        expect(fragments.edges.length).toBeLessThanOrEqual(first);
        seen.push(...fragments.edges.map((edge) => edge.node.number));
        if (!fragments.pageInfo.hasNextPage) break;
        after = fragments.pageInfo.endCursor ?? undefined;
      }
      expect(seen).toEqual(numbers);
    },
  );

  it("orders by server time (then fragment number) with SERVER_TIMESTAMP", async () => {
    const first = records[0] as FragmentRecord;
    const last = records.at(-1) as FragmentRecord;
    const fragments = await page({
      name: "cam",
      range: { start: iso(first.serverTimestampMs), end: iso(last.serverTimestampMs) },
    });
    const expected = records
      .map((record, index) => ({ record, index }))
      .sort(
        (a, b) =>
          a.record.serverTimestampMs - b.record.serverTimestampMs ||
          (a.record.fragmentNumber < b.record.fragmentNumber ? -1 : 1),
      )
      .map(({ index }) => ({ cursor: expect.any(String), node: expectedFragment(index) }));
    expect(fragments).toEqual({
      __typename: "FragmentConnection",
      edges: expected,
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
    });
  });

  it("answers an empty range with no edges", async () => {
    const fragments = await page({
      name: "cam",
      range: { start: iso(T0 - 60_000), end: iso(T0 - 1) },
      timestampType: "PRODUCER_TIMESTAMP",
    });
    expect(fragments).toEqual({
      __typename: "FragmentConnection",
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
    });
  });
});
