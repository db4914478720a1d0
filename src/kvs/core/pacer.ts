// The one pacer of the upstream layer. KVS limits call rates per stream (GetMedia and
// ListFragments 5 per second, GetClip about 1 per second) and answers ClientLimitExceeded past
// them, so every caller of a limited operation books its start here first: GetMedia sessions
// (reconnect storms cannot throttle the stream), ListFragments pages of clip listings, and the
// GetClip governor, which adds a bounded FIFO queue on top.
import { LRUCache } from "lru-cache";

export interface RateLimitPolicy {
  /** Call starts allowed per window and key. */
  calls: number;
  windowMs: number;
}

export const GET_MEDIA_RATE_LIMIT: RateLimitPolicy = { calls: 5, windowMs: 1000 };
export const LIST_FRAGMENTS_RATE_LIMIT: RateLimitPolicy = { calls: 5, windowMs: 1000 };

/**
 * Waits for the turn of a call on `key`. The Pacer is one (this process's); cluster mode adds a
 * fleet-wide one booked in Redis (src/kvs/cluster/fleet-pacer.ts) with the same contract.
 */
export interface StartGate {
  acquire(key: string, signal?: AbortSignal): Promise<void>;
}

interface Lane {
  /** Start times (past or booked in the future) of the last `calls` calls. */
  starts: number[];
  /** No start before this (a throttled caller backing off). */
  notBefore: number;
}

export class Pacer implements StartGate {
  private readonly lanes = new LRUCache<string, Lane>({ max: 10_000 });
  private readonly policy: RateLimitPolicy;
  private readonly now: () => number;

  constructor(policy: RateLimitPolicy = GET_MEDIA_RATE_LIMIT, now: () => number = Date.now) {
    if (!(policy.calls >= 1) || !(policy.windowMs > 0) || !Number.isFinite(policy.windowMs)) {
      throw new RangeError("a pacer needs calls >= 1 and a positive, finite window");
    }
    this.policy = policy;
    this.now = now;
  }

  /** How long a call for `key` would wait now, without booking it. */
  wait(key: string): number {
    const lane = this.lanes.get(key);
    return lane === undefined ? 0 : Math.max(0, this.nextStart(lane) - this.now());
  }

  /** Books the next free start for `key` and returns how long to wait until it. */
  reserve(key: string): number {
    const now = this.now();
    return this.book(key, now) - now;
  }

  /**
   * Waits for a booked start; rejects with the signal's reason if aborted while waiting. A start
   * that happens later than booked (a busy event loop) is recorded when it happens, so the next
   * one is spaced from the real start, not the booking.
   */
  async acquire(key: string, signal?: AbortSignal): Promise<void> {
    const now = this.now();
    const booked = this.book(key, now);
    await sleep(booked - now, signal);
    const started = this.now();
    const starts = this.lanes.get(key)?.starts;
    const index = starts?.lastIndexOf(booked) ?? -1;
    if (starts !== undefined && index >= 0 && started > booked) starts[index] = started;
  }

  /** Lets no call for `key` start within the next `ms` (KVS throttled one anyway). */
  holdOff(key: string, ms: number): void {
    const lane = this.lanes.get(key) ?? { starts: [], notBefore: 0 };
    lane.notBefore = Math.max(lane.notBefore, this.now() + ms);
    this.lanes.set(key, lane);
  }

  /** Books the next free start at or after `now`; returns its time. */
  private book(key: string, now: number): number {
    const lane = this.lanes.get(key) ?? { starts: [], notBefore: 0 };
    const at = Math.max(now, this.nextStart(lane));
    lane.starts.push(at);
    if (lane.starts.length > this.policy.calls) {
      lane.starts.splice(0, lane.starts.length - this.policy.calls);
    }
    this.lanes.set(key, lane);
    return at;
  }

  private nextStart(lane: Lane): number {
    const { calls, windowMs } = this.policy;
    const oldest =
      lane.starts.length >= calls ? lane.starts[lane.starts.length - calls] : undefined;
    return Math.max(lane.notBefore, oldest === undefined ? 0 : oldest + windowMs);
  }
}

/**
 * setTimeout as a promise that an AbortSignal cancels (rejecting with the signal's reason): the one
 * sleep of the upstream layer (pacing, and GetMedia's reconnect backoff).
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
