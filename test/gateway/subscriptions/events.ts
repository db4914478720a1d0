// Reading Subscription.fragments results in the e2e tests.

import type { FormattedExecutionResult } from "graphql";
import { expect } from "vitest";
import type { LiveFragmentsSubscription } from "../../generated/graphql.ts";

export type FragmentsEvent = LiveFragmentsSubscription["fragments"];
export type FragmentsResults = AsyncIterableIterator<
  FormattedExecutionResult<LiveFragmentsSubscription>
>;

/** Reads up to `count` events, fewer if the subscription completes first (failing on GraphQL errors). */
export async function take(
  subscription: FragmentsResults,
  count: number,
): Promise<FragmentsEvent[]> {
  const events: FragmentsEvent[] = [];
  while (events.length < count) {
    const next = await subscription.next();
    if (next.done) break;
    expect(next.value.errors).toBeUndefined();
    if (next.value.data) events.push(next.value.data.fragments);
  }
  return events;
}

/** Each event's fragment number, or its type name when it is an error. */
export const numbersOf = (events: FragmentsEvent[]): string[] =>
  events.map((e) => (e.__typename === "FragmentEvent" ? e.fragmentNumber : e.__typename));
