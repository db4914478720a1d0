// KVS allows 5 GetMedia calls per second per stream. Every session of this process that reads a
// stream (the shared NOW session and any other start selector) takes its slot here first, so
// reconnect storms cannot push the stream into ClientLimitExceeded.
import { LRUCache } from "lru-cache";

export interface RateLimitPolicy {
  /** Calls allowed per window and stream. */
  calls: number;
  windowMs: number;
}

export const GET_MEDIA_RATE_LIMIT: RateLimitPolicy = { calls: 5, windowMs: 1000 };

export class PerStreamRateLimiter {
  /** Start times (past or reserved in the future) of the last `calls` calls per stream. */
  private readonly starts = new LRUCache<string, number[]>({ max: 10_000 });

  private readonly policy: RateLimitPolicy;
  private readonly now: () => number;

  constructor(policy: RateLimitPolicy = GET_MEDIA_RATE_LIMIT, now: () => number = Date.now) {
    this.policy = policy;
    this.now = now;
  }

  /** Reserves the next free slot for `key` and returns how long to wait until it. */
  reserve(key: string): number {
    const { calls, windowMs } = this.policy;
    const now = this.now();
    const starts = this.starts.get(key) ?? [];
    const oldest = starts.length >= calls ? starts[starts.length - calls] : undefined;
    const at = oldest === undefined ? now : Math.max(now, oldest + windowMs);
    starts.push(at);
    if (starts.length > calls) starts.splice(0, starts.length - calls);
    this.starts.set(key, starts);
    return at - now;
  }

  /** Waits for a slot; rejects with the signal's reason if aborted while waiting. */
  async acquire(key: string, signal: AbortSignal): Promise<void> {
    await sleep(this.reserve(key), signal);
  }
}

/**
 * setTimeout as a promise that an AbortSignal cancels (rejecting with the signal's reason). The one
 * sleep of the upstream layer: clip-parts paces its ListFragments pages with it too.
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  // Node starts a timer from the event loop's cached time, which a busy loop leaves behind the
  // real clock: the timer can fire early by that lag. Pacing must not run early, so top up.
  const until = performance.now() + ms;
  for (let left = ms; left > 0; left = until - performance.now()) await timer(left, signal);
  signal?.throwIfAborted();
}

function timer(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
