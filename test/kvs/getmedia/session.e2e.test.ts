// GetMediaSession against kvs-local over real HTTP with the real SDK client: live delivery,
// resume after faults without loss or duplicates, typed terminal errors, prompt abort on stop.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientLimitExceededError, ResourceNotFoundError } from "../../../src/kvs/core/errors.ts";
import { GetMediaStreamError } from "../../../src/kvs/getmedia/errors.ts";
import { GetMediaSession, type SessionEvent } from "../../../src/kvs/getmedia/session.ts";
import type { StartSelector } from "../../../src/kvs/getmedia/start.ts";
import type { LocalKvs } from "../../../src/local-kvs/index.ts";
import { startLocalKvs } from "../../support/kvs-local.ts";
import type { LiveProducer } from "../../support/seed.ts";
import { FAST_BACKOFF, gatewayClientsFor, OpenedForTest } from "../../support/subscriptions.ts";
import { waitFor } from "../../support/wait.ts";

let kvs: LocalKvs;
let wiring: ReturnType<typeof gatewayClientsFor>;
const opened = new OpenedForTest();

beforeAll(async () => {
  kvs = await startLocalKvs();
  wiring = gatewayClientsFor(kvs);
});

afterAll(async () => {
  await opened.close();
  wiring.close();
  await kvs.stop();
});

function producer(streamName: string): Promise<LiveProducer> {
  return opened.producer(kvs, streamName);
}

function openSession(streamName: string, start: StartSelector) {
  const events: SessionEvent[] = [];
  const session = new GetMediaSession({
    ...wiring.deps,
    stream: { name: streamName },
    start,
    // Fast retries keep the suite short; the policy itself is the default's shape.
    backoff: FAST_BACKOFF,
    onEvent: (event) => events.push(event),
  });
  const done = session.run();
  const fragments = () =>
    events.flatMap((e) => (e.type === "fragment" ? [e.fragment.fragmentNumber] : []));
  const end = () => events.find((e) => e.type === "end");
  return { session, events, fragments, end, done };
}

describe("GetMediaSession", () => {
  it("delivers live fragments in order as the producer persists them", async () => {
    const live = await producer("session-live");
    const { session, fragments, done } = openSession("session-live", { type: "NOW" });
    await waitFor(() => kvs.stats.inProgress("GetMedia") === 1, 5000, "GetMedia to open");
    const sent = await live.send(4);
    await waitFor(() => fragments().length === 4, 10_000, "4 fragments");
    expect(fragments()).toEqual(sent);
    session.stop();
    await done;
  });

  it("resumes after the connection drops mid-fragment: no loss, no duplicate", async () => {
    const live = await producer("session-drop");
    const sent = await live.send(6);
    const before = kvs.stats.count("GetMedia");
    // The demo clusters are tens of KB: each of the first three responses is cut inside one.
    kvs.faults.inject("GetMedia", { kind: "drop-after-bytes", bytes: 40_000, times: 3 });
    const { session, fragments, end, done } = openSession("session-drop", { type: "EARLIEST" });
    await waitFor(() => fragments().length >= 6, 15_000, "6 fragments");
    expect(fragments()).toEqual(sent);
    expect(end()).toBeUndefined();
    expect(kvs.stats.count("GetMedia") - before).toBeGreaterThanOrEqual(4);
    // And it keeps following the live stream after the resumes.
    const more = await live.send(2);
    await waitFor(() => fragments().length >= 8, 10_000, "2 more fragments");
    expect(fragments()).toEqual([...sent, ...more]);
    session.stop();
    await done;
  });

  it("retries throttling, 5xx and ERROR_ID 5000 and still delivers everything once", async () => {
    const live = await producer("session-retry");
    const sent = await live.send(3);
    kvs.faults.inject("GetMedia", {
      kind: "exception",
      exception: "ClientLimitExceededException",
      times: 2,
    });
    kvs.faults.inject("GetMedia", { kind: "status", status: 503 });
    kvs.faults.inject("GetMedia", { kind: "media-error", errorId: 5000, afterFragments: 1 });
    const { session, events, fragments, end, done } = openSession("session-retry", {
      type: "EARLIEST",
    });
    await waitFor(() => fragments().length >= 3, 15_000, "3 fragments");
    expect(fragments()).toEqual(sent);
    expect(end()).toBeUndefined();
    const reasons = events.flatMap((e) =>
      e.type === "reconnecting" && e.reason ? [e.reason] : [],
    );
    expect(reasons[0]).toBeInstanceOf(ClientLimitExceededError);
    expect(reasons.some((r) => r instanceof GetMediaStreamError && r.errorId === 5000)).toBe(true);
    session.stop();
    await done;
  });

  it("resolves the data endpoint again after InvalidEndpointException", async () => {
    const live = await producer("session-endpoint");
    const sent = await live.send(2);
    const endpointCalls = kvs.stats.count("GetDataEndpoint");
    kvs.faults.inject("GetMedia", { kind: "exception", exception: "InvalidEndpointException" });
    const { session, fragments, done } = openSession("session-endpoint", { type: "EARLIEST" });
    await waitFor(() => fragments().length >= 2, 10_000, "2 fragments");
    expect(fragments()).toEqual(sent);
    // One lookup to start, one more after the endpoint was declared stale.
    expect(kvs.stats.count("GetDataEndpoint") - endpointCalls).toBe(2);
    session.stop();
    await done;
  });

  it("ends with a typed error for ERROR_ID 4000 and for a stream that does not exist", async () => {
    const live = await producer("session-4000");
    await live.send(2);
    kvs.faults.inject("GetMedia", { kind: "media-error", errorId: 4000, afterFragments: 1 });
    const gone = openSession("session-4000", { type: "EARLIEST" });
    await gone.done;
    expect(gone.fragments()).toEqual(live.persisted.slice(0, 1));
    const ended = gone.end();
    expect(ended?.type === "end" && ended.error).toBeInstanceOf(GetMediaStreamError);
    if (ended?.type !== "end" || !(ended.error instanceof GetMediaStreamError)) return;
    expect(ended.error.errorId).toBe(4000);
    expect(ended.error.meaning).toBe("Requested fragment is not found");
    expect(ended.error.retryable).toBe(false);

    const missing = openSession("no-such-stream", { type: "NOW" });
    await missing.done;
    const missingEnd = missing.end();
    expect(missingEnd?.type === "end" && missingEnd.error).toBeInstanceOf(ResourceNotFoundError);
  });

  it("keeps an idle stream's session open and aborts the upstream at once on stop()", async () => {
    const live = await producer("session-idle");
    const { session, fragments, end, done } = openSession("session-idle", { type: "NOW" });
    await waitFor(() => kvs.stats.inProgress("GetMedia") === 1, 5000, "GetMedia to open");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(end()).toBeUndefined();
    const sent = await live.send(1);
    await waitFor(() => fragments().length === 1, 10_000, "the fragment after idling");
    expect(fragments()).toEqual(sent);
    const stoppedAt = Date.now();
    session.stop();
    await done;
    await waitFor(() => kvs.stats.inProgress("GetMedia") === 0, 1000, "GetMedia to close");
    expect(Date.now() - stoppedAt).toBeLessThan(1000);
  });
});
