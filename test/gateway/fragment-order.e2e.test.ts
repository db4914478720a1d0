// Stream.fragments through the gateway against a kvs-local whose ListFragments answers in a
// random order within and across pages (AWS documents no order): paged with small `first`, the
// concatenation is every fragment of the range exactly once, ascending by timestamp then number.

import {
  KinesisVideoArchivedMediaClient,
  ListFragmentsCommand,
} from "@aws-sdk/client-kinesis-video-archived-media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FragmentRecord } from "../../src/local-kvs/index.ts";
import { compareFragmentNumbers } from "../../src/mkv/kvs-tags/fragment-numbers.ts";
import type { FragmentsQueryVariables, TimestampType } from "../generated/graphql.ts";
import { fixture } from "../support/fixtures.ts";
import { executeHttp } from "../support/graphql.ts";
import { clientConfig, createStreams } from "../support/kvs-local.ts";
import { ingestAt } from "../support/seed.ts";
import { type Stack, startStack } from "../support/stack.ts";
import { FragmentsQuery } from "./documents.ts";

const T0 = Date.parse("2024-03-01T08:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

let stack: Stack;
let arn: string;
let records: FragmentRecord[];

beforeAll(async () => {
  stack = await startStack({ kvs: { listFragmentsOrder: "shuffled" } });
  arn = (await createStreams(stack.kvs.endpoint, ["shuffled"]))[0] as string;
  // Twice from the same producer start (equal producer timestamps: ties go by number), then
  // once a second later, interleaved with them.
  for (const start of [T0, T0, T0 + 1000])
    await ingestAt(stack.kvs.endpoint, "shuffled", fixture("clusters.mkv"), start);
  records = stack.kvs.store.listFragments(arn);
});

afterAll(async () => {
  await stack?.stop();
});

const timestampOf = (record: FragmentRecord, type: TimestampType) =>
  type === "SERVER_TIMESTAMP" ? record.serverTimestampMs : record.producerTimestampMs;

/** Every page of the range, `first` at a time, concatenated. */
async function pageThrough(type: TimestampType, first: number): Promise<string[]> {
  const seen: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const variables: FragmentsQueryVariables = {
      name: "shuffled",
      range: { start: iso(T0 - 60_000), end: iso(Date.now() + 60_000) },
      timestampType: type,
      first,
      ...(after ? { after } : {}),
    };
    const response = await executeHttp(stack.graphqlUrl, FragmentsQuery, variables);
    expect(response.errors).toBeUndefined();
    const stream = response.data?.stream;
    if (stream?.__typename !== "Stream") throw new Error(JSON.stringify(response));
    const fragments = stream.fragments;
    if (fragments?.__typename !== "FragmentConnection") throw new Error(JSON.stringify(fragments));
    expect(fragments.edges.length).toBeLessThanOrEqual(first);
    seen.push(...fragments.edges.map((edge) => edge.node.number));
    if (!fragments.pageInfo.hasNextPage) return seen;
    after = fragments.pageInfo.endCursor ?? undefined;
  }
  throw new Error("paging did not end");
}

describe("Stream.fragments over a ListFragments in no order", () => {
  it("has a backend that really answers out of order", async () => {
    expect(records).toHaveLength(24);
    // Straight at kvs-local with the SDK's default 3 attempts.
    const client = new KinesisVideoArchivedMediaClient(clientConfig(stack.kvs.endpoint, 3));
    try {
      const out = await client.send(new ListFragmentsCommand({ StreamName: "shuffled" }));
      const listed = (out.Fragments ?? []).map((f) => f.FragmentNumber ?? "");
      expect([...listed].sort(compareFragmentNumbers)).toEqual(
        records.map((r) => r.fragmentNumber),
      );
      expect(listed).not.toEqual(records.map((r) => r.fragmentNumber));
    } finally {
      client.destroy();
    }
  });

  for (const type of ["PRODUCER_TIMESTAMP", "SERVER_TIMESTAMP"] as const) {
    it.each([1, 4, 7])(
      `pages ${type} %i at a time: each fragment once, in order`,
      async (first) => {
        const numbers = await pageThrough(type, first);
        const byNumber = new Map(records.map((record) => [record.fragmentNumber, record]));
        expect(new Set(numbers).size).toBe(numbers.length);
        expect([...numbers].sort(compareFragmentNumbers)).toEqual(
          records.map((record) => record.fragmentNumber),
        );
        for (let i = 1; i < numbers.length; i++) {
          const previous = byNumber.get(numbers[i - 1] as string) as FragmentRecord;
          const current = byNumber.get(numbers[i] as string) as FragmentRecord;
          const order =
            timestampOf(previous, type) - timestampOf(current, type) ||
            compareFragmentNumbers(previous.fragmentNumber, current.fragmentNumber);
          expect(order, `${previous.fragmentNumber} before ${current.fragmentNumber}`).toBeLessThan(
            0,
          );
        }
      },
    );
  }
});
