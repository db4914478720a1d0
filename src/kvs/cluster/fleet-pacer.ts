// A StartGate booked in Redis, so a per-stream call rate (GetMedia's 5 per second, GetClip's
// about 1 per second) holds for the fleet as a whole, not per instance. While Redis cannot be
// asked, calls go through `fallback` (this instance's own pacing) and the health says so.
import { type RateLimitPolicy, type StartGate, sleep } from "../core/pacer.ts";
import type { ClusterKeys } from "./keys.ts";
import type { RedisConnection } from "./redis-connection.ts";
import { BOOK_START } from "./scripts.ts";

export interface FleetPacerOptions {
  redis: RedisConnection;
  keys: ClusterKeys;
  /** Names the lane family, e.g. "getmedia" or "getclip". */
  name: string;
  policy: RateLimitPolicy;
  /** Used when Redis is unreachable. */
  fallback: StartGate;
  /** Told each time a call fell back to local pacing. */
  onFallback?(error: unknown): void;
}

/** A wait longer than this from Redis is not believed (a lane written by a misconfigured peer). */
const MAX_BOOKED_WAIT_MS = 60_000;

export class FleetPacer implements StartGate {
  readonly #options: FleetPacerOptions;

  constructor(options: FleetPacerOptions) {
    this.#options = options;
  }

  async acquire(key: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const { redis, keys, name, policy } = this.#options;
    let waitMs: number;
    try {
      const reply = await redis.eval(
        BOOK_START,
        [keys.pace(name, key)],
        [String(policy.calls), String(Math.ceil(policy.windowMs))],
      );
      waitMs = Math.min(Math.max(0, Number(reply)), MAX_BOOKED_WAIT_MS);
    } catch (error) {
      this.#options.onFallback?.(error);
      return this.#options.fallback.acquire(key, signal);
    }
    await sleep(waitMs, signal);
  }
}

/** A gate that never waits: the fallback where local pacing already happened before. */
export const OPEN_GATE: StartGate = {
  acquire: async (_key, signal) => signal?.throwIfAborted(),
};
