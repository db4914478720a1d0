// KVS ends every GetMedia session after 40-45 minutes. Against a backend that does so every 2 s,
// a subscription keeps delivering each fragment exactly once: the gateway's session reopens
// GetMedia with the last continuation token each time.

import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wsClient } from "../../support/graphql.ts";
import { type LiveProducer, startLiveProducer } from "../../support/seed.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { FAST_BACKOFF, readFragments, recordStartSelectors } from "../../support/subscriptions.ts";
import { waitFor } from "../../support/wait.ts";

const SESSION_SECONDS = 2;

let stack: Stack;
let socket: Client;
let live: LiveProducer | undefined;

beforeAll(async () => {
  stack = await startStack({
    kvs: { getMediaSessionMaxSeconds: SESSION_SECONDS },
    gateway: {
      getMedia: {
        backoff: FAST_BACKOFF,
      },
    },
  });
  socket = wsClient(stack.wsUrl);
});

afterAll(async () => {
  await socket?.dispose();
  await live?.stop();
  await stack?.stop();
});

describe("Subscription.fragments across KVS session ends", () => {
  it("resumes with the continuation token: consecutive fragments, none missing or repeated", async () => {
    live = await startLiveProducer(stack.kvs, "sub-session-end");
    const producer = live;
    // Watch the start selectors the gateway's own GetMedia client sends (the requests still go
    // to the backend unchanged).
    const selectors = recordStartSelectors(stack);
    const stats = stack.kvs.stats;
    const getMediaBefore = stats.count("GetMedia");
    const abandonedBefore = stats.abandoned("GetMedia");

    const { received, others, stop } = readFragments(socket, "sub-session-end");
    await waitFor(() => stats.inProgress("GetMedia") === 1, 5000, "GetMedia to open");

    // Feed a fragment every 100 ms until the backend has ended two sessions.
    const started = Date.now();
    while (stats.count("GetMedia") - getMediaBefore < 3) {
      if (Date.now() - started > 20_000) throw new Error("the backend ended no sessions");
      await producer.send(1);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const last = (await producer.send(2)).at(-1);
    await waitFor(() => received.at(-1) === last, 10_000, "the last fragment");

    expect(others).toEqual([]);
    expect(received).toEqual(producer.persisted);
    const sessions = stats.count("GetMedia") - getMediaBefore;
    expect(sessions).toBeGreaterThanOrEqual(3);
    // The backend ended those responses itself; the gateway abandoned none.
    expect(stats.abandoned("GetMedia")).toBe(abandonedBefore);
    expect(stack.services.getMedia.sessionCount).toBe(1);
    // One GetMedia at NOW, then each reconnect after the last fragment delivered before it.
    expect(selectors).toHaveLength(sessions);
    expect(selectors[0]).toEqual({ StartSelectorType: "NOW" });
    const tokens = selectors.slice(1).map((selector) => {
      expect(selector.StartSelectorType).toBe("CONTINUATION_TOKEN");
      return selector.ContinuationToken ?? "";
    });
    for (const token of tokens) expect(received).toContain(token);
    expect([...tokens].sort()).toEqual(tokens);
    expect(new Set(tokens).size).toBe(tokens.length);

    await stop();
    await waitFor(() => stats.inProgress("GetMedia") === 0, 2000, "GetMedia to close");
  });

  it("an idle NOW session reopens at the time it first asked, so nothing persisted in between is skipped", async () => {
    const producer = await startLiveProducer(stack.kvs, "sub-idle-now");
    try {
      const [before] = await producer.send(1);
      const selectors = recordStartSelectors(stack);
      const stats = stack.kvs.stats;
      const getMediaBefore = stats.count("GetMedia");
      const subscribedAt = Date.now();
      const { received, stop } = readFragments(socket, "sub-idle-now");
      await waitFor(() => stats.count("GetMedia") > getMediaBefore, 10_000, "GetMedia to open");
      const openedBy = Date.now();
      // The backend ends the empty session after 2 s; the gateway opens the next one.
      await waitFor(() => stats.count("GetMedia") - getMediaBefore >= 2, 10_000, "a reconnect");
      const [first, second] = selectors.slice(-2);
      expect(first).toEqual({ StartSelectorType: "NOW" });
      expect(second?.StartSelectorType).toBe("SERVER_TIMESTAMP");
      const resumeAt = second?.StartTimestamp?.getTime() ?? 0;
      expect(resumeAt).toBeGreaterThanOrEqual(subscribedAt);
      // The time the gateway first asked: after subscribing, before the backend saw the request.
      expect(resumeAt).toBeLessThanOrEqual(openedBy);

      // The fragment persisted before subscribing contains that instant (a SERVER_TIMESTAMP
      // start would begin with it); a NOW subscriber still only gets what came after.
      const [after] = await producer.send(1);
      await waitFor(() => received.length > 0, 10_000, "the new fragment");
      expect(received).toEqual([after]);
      expect(received).not.toContain(before);
      await stop();
    } finally {
      await producer.stop();
    }
  });
});
