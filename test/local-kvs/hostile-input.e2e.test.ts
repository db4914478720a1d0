// Random request bodies on every operation: each gets an AWS-shaped answer and the server
// keeps serving (no crash, no hang).

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalKvs } from "../../src/local-kvs/index.ts";
import { startLocalKvs } from "../support/kvs-local.ts";

const PATHS = [
  "/createStream",
  "/describeStream",
  "/listStreams",
  "/deleteStream",
  "/updateDataRetention",
  "/updateStream",
  "/tagStream",
  "/untagStream",
  "/listTagsForStream",
  "/getDataEndpoint",
  "/getMedia",
  "/listFragments",
  "/putMedia",
];

const KNOWN_KEYS = [
  "StreamName",
  "StreamARN",
  "APIName",
  "MaxResults",
  "NextToken",
  "StartSelector",
  "StartSelectorType",
  "FragmentSelector",
  "TimestampRange",
  "StartTimestamp",
  "CurrentVersion",
  "DataRetentionInHours",
  "Tags",
];

/** JSON values biased towards the members the operations read. */
const body = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string(),
    fc.constantFrom("hostile", "EARLIEST", "NOW", "GET_MEDIA", "PRODUCER_TIMESTAMP"),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 3 }),
    tie("object"),
  ),
  object: fc.dictionary(fc.oneof(fc.constantFrom(...KNOWN_KEYS), fc.string()), tie("value"), {
    maxKeys: 5,
  }),
}));

describe("hostile request bodies", () => {
  let kvs: LocalKvs;

  beforeAll(async () => {
    kvs = await startLocalKvs([], { getMediaRatePerSecond: 0 });
    await kvs.store.createStream({ streamName: "hostile", dataRetentionInHours: 1 }, Date.now());
  });
  afterAll(async () => {
    await kvs?.stop();
  });

  it("every answer is a well-formed KVS response and the server survives", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), body.object, async (path, json) => {
        const abort = new AbortController();
        const res = await fetch(`${kvs.endpoint}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(json),
          signal: abort.signal,
        });
        if (res.status === 200) {
          // A streaming answer (GetMedia) stays open: headers are enough.
          abort.abort();
          return;
        }
        const error = (await res.json()) as { __type?: string; Message?: string };
        expect(res.status).toBeLessThan(500);
        expect(res.headers.get("x-amzn-errortype")).toBe(error.__type);
        expect(error.Message).toEqual(expect.any(String));
      }),
      { numRuns: 300 },
    );
    const alive = await fetch(`${kvs.endpoint}/listStreams`, { method: "POST", body: "{}" });
    expect(alive.status).toBe(200);
  });
});
