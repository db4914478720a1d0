// A principal's share of a stream's private GetMedia sessions: one client reading history can't
// take every private session of the stream, so another principal can still read history or
// resume. Past the share the subscription is refused at once, typed, without calling KVS.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metricsRegistry } from "../../../src/gateway/observability/metrics.ts";
import { subscribeWs } from "../../support/graphql.ts";
import { apiKeySecurity, type Stack, startStack } from "../../support/stack.ts";
import { numbersOf, OpenedForTest, take } from "../../support/subscriptions.ts";
import { FragmentsSubscription } from "./documents.ts";

const KEYS = {
  historian: "historian-key-0123456789abcdef",
  other: "other-reader-key-0123456789abcd",
};
const STREAM = "shared-history";

let stack: Stack;
const opened = new OpenedForTest();

beforeAll(async () => {
  stack = await startStack({
    kvs: { getMediaRatePerSecond: 0 },
    gateway: {
      // Three private sessions per stream (no NOW session here), two of them per principal.
      getMedia: { maxPrivateSessionsPerStream: 3 },
      security: apiKeySecurity(KEYS, {
        operationsPerWindow: 1000,
        upstreamCallsPerWindow: 1000,
        windowSeconds: 60,
        maxConcurrentDownloads: 4,
        maxPrivateSessionsPerStream: 2,
      }),
    },
  });
});

afterAll(async () => {
  await opened.close();
  await stack.stop();
});

/** The count of kvs_gateway_rate_limited_total{scope} so far. */
async function rateLimited(scope: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric("kvs_gateway_rate_limited_total")?.get();
  return metric?.values.find((value) => value.labels.scope === scope)?.value ?? 0;
}

const getMediaCalls = () => stack.kvs.stats.count("GetMedia");

describe("private GetMedia sessions per principal", () => {
  it("refuses a principal's third EARLIEST subscription; another principal still gets one", async () => {
    const live = await opened.producer(stack.kvs, STREAM);
    const sent = await live.send(2);
    const historian = opened.client(stack.wsUrl, { apiKey: KEYS.historian });
    const earliest = () =>
      subscribeWs(historian, FragmentsSubscription, { name: STREAM, start: { type: "EARLIEST" } });
    const first = earliest();
    const second = earliest();
    expect(numbersOf(await take(first, 2))).toEqual(sent);
    expect(numbersOf(await take(second, 2))).toEqual(sent);

    const callsBefore = getMediaCalls();
    const countedBefore = await rateLimited("getmedia_sessions");
    const refused = await take(earliest(), 2);
    expect(refused).toEqual([
      {
        __typename: "ConnectionLimitExceeded",
        code: "ConnectionLimitExceededException",
        message: expect.stringContaining("your share per stream"),
        retryable: true,
        requestId: null,
      },
    ]);
    expect(getMediaCalls()).toBe(callsBefore);
    expect((await rateLimited("getmedia_sessions")) - countedBefore).toBe(1);

    // The stream's pool still has a private session for someone else.
    const other = opened.client(stack.wsUrl, { apiKey: KEYS.other });
    const theirs = subscribeWs(other, FragmentsSubscription, {
      name: STREAM,
      start: { type: "EARLIEST" },
    });
    expect(numbersOf(await take(theirs, 2))).toEqual(sent);
    expect(getMediaCalls()).toBe(callsBefore + 1);

    // Ending one gives the historian its share back.
    await first.return?.();
    const again = earliest();
    expect(numbersOf(await take(again, 2))).toEqual(sent);
    for (const subscription of [second, theirs, again]) await subscription.return?.();
  });
});
