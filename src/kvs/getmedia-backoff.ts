// Reconnect delays for GetMedia sessions: exponential with "equal jitter" (half fixed, half random),
// so delays always grow with the attempt count yet sessions that failed together spread out.

export interface BackoffPolicy {
  /** Delay before the first retry after a failure. */
  baseMs: number;
  /** Upper bound for any single delay. */
  maxMs: number;
  /** Base delay when KVS throttled us (ClientLimitExceeded / ConnectionLimitExceeded). */
  throttledBaseMs: number;
  /** Delay before reopening after the upstream ended cleanly with no fragment (an idle stream). */
  idleBaseMs: number;
  idleMaxMs: number;
}

export const GET_MEDIA_BACKOFF: BackoffPolicy = {
  baseMs: 250,
  maxMs: 20_000,
  throttledBaseMs: 1000,
  idleBaseMs: 500,
  idleMaxMs: 3000,
};

/** Delay before attempt `attempt` (1 = first retry) starting from `baseMs`, capped at `maxMs`. */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
