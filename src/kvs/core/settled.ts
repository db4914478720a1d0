// When a range of a stream's past stops changing. Server timestamps are given on arrival, so only
// fragments still being persisted can join a range in the past; a producer may upload old media
// at any time (a camera flushing its buffer after an outage), so for producer timestamps no age
// is a guarantee: the settle time is a trade-off, bounded further by each cache's own limits.
// Clip downloads and ListFragments windows are cached only once settled, by this one rule.

import type { TimestampType } from "./fragments.ts";

export interface SettlePolicy {
  /** How long after its end a SERVER_TIMESTAMP range is settled. */
  serverTimestampSettleMs: number;
  /** How long after its end (by the gateway's clock) a PRODUCER_TIMESTAMP range is treated as settled. */
  producerTimestampSettleMs: number;
}

export const DEFAULT_SETTLE_POLICY: SettlePolicy = {
  serverTimestampSettleMs: 5 * 60_000,
  producerTimestampSettleMs: 60 * 60_000,
};

/** The latest instant (epoch ms) at which a range of `type` may end and be settled at `nowMs`. */
export function settledUntil(type: TimestampType, nowMs: number, policy: SettlePolicy): number {
  const settle =
    type === "SERVER_TIMESTAMP" ? policy.serverTimestampSettleMs : policy.producerTimestampSettleMs;
  return nowMs - settle - 1;
}

export function isSettled(
  type: TimestampType,
  endMs: number,
  nowMs: number,
  policy: SettlePolicy = DEFAULT_SETTLE_POLICY,
): boolean {
  return endMs <= settledUntil(type, nowMs, policy);
}
