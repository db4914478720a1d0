// A graphql-ws connection authenticates once; its subscriptions must not outlive the credential.
// When a JWT expires, each of the socket's subscriptions gets NotAuthorized as its last event and
// its upstream is released. A plain iterator, not an async generator: a generator's return()
// waits for a pending next(), so an unsubscribe on an idle stream would never arrive.

import { NotAuthorizedError } from "../../kvs/core/errors.ts";
import type { FragmentFeedEvent } from "../../kvs/getmedia/subscriber.ts";

export function credentialExpired(): NotAuthorizedError {
  return new NotAuthorizedError("Your credential has expired; connect again with a fresh one.");
}

export function endAtExpiry(
  events: AsyncIterable<FragmentFeedEvent>,
  expiresAtMs: number | undefined,
): AsyncIterable<FragmentFeedEvent> {
  if (expiresAtMs === undefined) return events;
  const inner = events[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  let state: "open" | "expired" | "done" = "open";
  const expiry = new Promise<"expired">((resolve) => {
    timer = setTimeout(() => resolve("expired"), Math.max(0, expiresAtMs - Date.now()));
  });
  const finish = async (): Promise<IteratorResult<FragmentFeedEvent>> => {
    state = "done";
    clearTimeout(timer);
    await inner.return?.();
    return { done: true, value: undefined };
  };
  const iterator: AsyncIterableIterator<FragmentFeedEvent> = {
    async next() {
      if (state === "done") return { done: true, value: undefined };
      if (state === "expired") return finish();
      const result = await Promise.race([inner.next(), expiry]);
      if (result !== "expired") {
        if (result.done) await finish();
        return result;
      }
      state = "expired";
      void inner.return?.();
      return { done: false, value: { type: "error", error: credentialExpired() } };
    },
    return: finish,
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
