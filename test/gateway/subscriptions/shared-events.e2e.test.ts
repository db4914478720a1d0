// Shared execution of identical subscription events (shared-subscription-events.ts): subscribers
// of the demo stream who select the same fields get the same bytes for each fragment, over
// graphql-ws and SSE alike, executed once; a different selection gets its own execution; and
// authorization stays per subscriber. With sharing off, every subscriber is executed alone.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMBEDDED_SECURITY_DEFAULTS } from "../../../src/gateway/security/settings.ts";
import { sharedEventStats } from "../../../src/gateway/shared-subscription-events.ts";
import { DEMO_STREAM_NAME } from "../../../src/local-kvs/index.ts";
import {
  type RawSubscriber,
  type RawSubscription,
  rawSseSubscriber,
  rawWsSubscriber,
} from "../../support/raw-subscribers.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { FAST_BACKOFF } from "../../support/subscriptions.ts";
import { waitFor } from "../../support/wait.ts";

const ALL_KEY = "operator-key-0123456789abcdefgh";
const CAM_KEY = "cam-viewer-key-0123456789abcdef";

const WIDE = `subscription Live($name: String, $start: FragmentStart) {
  fragments(name: $name, start: $start) {
    __typename
    ... on FragmentEvent { fragmentNumber serverTimestamp continuationToken blockCount tracks { number kind } }
    ... on KvsError { code message }
  }
}`;
/** The same operation typed differently: print() makes both one document. */
const WIDE_RETYPED = `# the same selection, laid out differently
subscription Live($name: String, $start: FragmentStart) { fragments(name: $name, start: $start) {
  __typename,
  ... on FragmentEvent {
    fragmentNumber, serverTimestamp, continuationToken, blockCount,
    tracks { number, kind }
  }
  ... on KvsError { code, message }
} }`;
const NARROW = `subscription Numbers($name: String) {
  fragments(name: $name) { __typename ... on FragmentEvent { fragmentNumber } ... on KvsError { code } }
}`;

interface Reader {
  /** Payload text by fragment number. */
  byFragment: Map<string, string>;
  others: string[];
  subscriber: RawSubscriber;
}

function fragmentNumberOf(payload: string): string | undefined {
  const parsed = JSON.parse(payload) as {
    data?: { fragments?: { __typename?: string; fragmentNumber?: string } };
  };
  const event = parsed.data?.fragments;
  return event?.__typename === "FragmentEvent" ? event.fragmentNumber : undefined;
}

function reader(
  open: (url: string, subscription: RawSubscription) => RawSubscriber,
  url: string,
  subscription: Omit<RawSubscription, "onNext" | "onOther">,
): Reader {
  const byFragment = new Map<string, string>();
  const others: string[] = [];
  const subscriber = open(url, {
    ...subscription,
    onNext: (payload) => {
      const number = fragmentNumberOf(payload);
      if (number === undefined) others.push(payload);
      else byFragment.set(number, payload);
    },
    onOther: (text) => others.push(text),
  });
  return { byFragment, others, subscriber };
}

describe("shared subscription events", () => {
  let stack: Stack;
  const readers: Reader[] = [];

  beforeAll(async () => {
    stack = await startStack({
      kvs: { demoStream: true },
      gateway: {
        getMedia: { backoff: FAST_BACKOFF },
        security: {
          ...EMBEDDED_SECURITY_DEFAULTS,
          auth: {
            mode: "on",
            apiKeys: [
              { id: "ops", key: ALL_KEY, streams: ["*"] },
              { id: "cams", key: CAM_KEY, streams: ["cam-*"] },
            ],
          },
        },
      },
    });
  });
  afterAll(async () => {
    for (const { subscriber } of readers) subscriber.close();
    await stack.stop();
  });

  it("executes and serialises each fragment once per selection, for graphql-ws and SSE", async () => {
    const before = { ...sharedEventStats };
    const variables = { name: DEMO_STREAM_NAME, start: { type: "NOW" } };
    const wsA = reader(rawWsSubscriber, stack.wsUrl, { query: WIDE, variables, apiKey: ALL_KEY });
    const wsB = reader(rawWsSubscriber, stack.wsUrl, {
      query: WIDE_RETYPED,
      // Key order of the variables does not split the share either.
      variables: { start: { type: "NOW" }, name: DEMO_STREAM_NAME },
      apiKey: ALL_KEY,
    });
    const sse = reader(rawSseSubscriber, stack.graphqlUrl, {
      query: WIDE,
      variables,
      apiKey: ALL_KEY,
    });
    const narrow = reader(rawWsSubscriber, stack.wsUrl, {
      query: NARROW,
      variables: { name: DEMO_STREAM_NAME },
      apiKey: ALL_KEY,
    });
    // Not allowed to read the demo stream: refused alone, the others go on.
    const refused = reader(rawWsSubscriber, stack.wsUrl, {
      query: WIDE,
      variables,
      apiKey: CAM_KEY,
    });
    const all = [wsA, wsB, sse, narrow];
    readers.push(...all, refused);

    const common = () =>
      [...wsA.byFragment.keys()].filter((number) => all.every((one) => one.byFragment.has(number)));
    await waitFor(() => common().length >= 2, 20_000, "two fragments seen by every subscriber");

    for (const number of common()) {
      const sent = wsA.byFragment.get(number);
      expect(wsB.byFragment.get(number)).toBe(sent);
      expect(sse.byFragment.get(number)).toBe(sent);
      expect(narrow.byFragment.get(number)).not.toBe(sent);
      expect(JSON.parse(narrow.byFragment.get(number) ?? "")).toEqual({
        data: { fragments: { __typename: "FragmentEvent", fragmentNumber: number } },
      });
      expect(JSON.parse(sent ?? "").data.fragments).toMatchObject({
        __typename: "FragmentEvent",
        fragmentNumber: number,
        tracks: [
          { number: 1, kind: "VIDEO" },
          { number: 2, kind: "AUDIO" },
        ],
      });
    }
    for (const one of all) expect(one.others).toEqual([]);

    // Each fragment: one execution for the wide selection, one for the narrow one.
    const seen = new Set(all.flatMap((one) => [...one.byFragment.keys()]));
    const executions = sharedEventStats.executions - before.executions;
    const deliveries = sharedEventStats.deliveries - before.deliveries;
    expect(executions).toBeLessThanOrEqual(2 * seen.size);
    expect(deliveries).toBeGreaterThanOrEqual(4 * common().length);
    expect(deliveries).toBeGreaterThan(executions);

    expect(refused.byFragment.size).toBe(0);
    expect(refused.others.join("\n")).toMatch(/Forbidden|NotAuthorized|not allowed/i);
  });
});

describe("with sharing off", () => {
  let stack: Stack;
  const readers: Reader[] = [];

  beforeAll(async () => {
    stack = await startStack({
      kvs: { demoStream: true },
      gateway: { getMedia: { backoff: FAST_BACKOFF }, sharedSubscriptionEvents: false },
    });
  });
  afterAll(async () => {
    for (const { subscriber } of readers) subscriber.close();
    await stack.stop();
  });

  it("executes each subscriber's events alone, with the same results", async () => {
    const before = { ...sharedEventStats };
    const variables = { name: DEMO_STREAM_NAME, start: { type: "NOW" } };
    const one = reader(rawWsSubscriber, stack.wsUrl, { query: WIDE, variables });
    const two = reader(rawSseSubscriber, stack.graphqlUrl, { query: WIDE, variables });
    readers.push(one, two);
    const common = () => [...one.byFragment.keys()].filter((number) => two.byFragment.has(number));
    await waitFor(() => common().length >= 2, 20_000, "two fragments seen by both");
    for (const number of common()) {
      expect(two.byFragment.get(number)).toBe(one.byFragment.get(number));
    }
    expect(sharedEventStats).toEqual(before);
  });
});
