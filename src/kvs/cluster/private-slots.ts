// Private GetMedia sessions counted fleet-wide: a sorted set per stream of slot tokens scored by
// expiry, renewed while the session runs, so a dead instance's slots expire by themselves. With
// the stream's one shared NOW session this keeps the fleet within KVS's 3 connections per stream.
import { randomUUID } from "node:crypto";
import type { PrivateSessionSlot, PrivateSessionSlots } from "../getmedia/coordination.ts";
import type { ClusterKeys } from "./keys.ts";
import type { RedisConnection } from "./redis-connection.ts";
import { ACQUIRE_SLOT, RENEW_SLOT } from "./scripts.ts";

export interface FleetPrivateSlotsOptions {
  redis: RedisConnection;
  keys: ClusterKeys;
  instanceId: string;
  ttlMs: number;
  /** Told when Redis could not be asked (the per-process cap alone applies then). */
  onFallback?(error: unknown): void;
}

export class FleetPrivateSlots implements PrivateSessionSlots {
  readonly #options: FleetPrivateSlotsOptions;

  constructor(options: FleetPrivateSlotsOptions) {
    this.#options = options;
  }

  async acquire(streamKey: string, localLimit: number): Promise<PrivateSessionSlot | null> {
    const { redis, keys, instanceId, ttlMs } = this.#options;
    const key = keys.privateSlots(streamKey);
    const token = `${instanceId}:${randomUUID()}`;
    try {
      const got = await redis.eval(ACQUIRE_SLOT, [key], [token, String(localLimit), String(ttlMs)]);
      if (Number(got) !== 1) return null;
    } catch (error) {
      // The per-process cap was already checked: it is the limit while Redis is away.
      this.#options.onFallback?.(error);
      return { release() {} };
    }
    const timer = setInterval(
      () => {
        redis.eval(RENEW_SLOT, [key], [token, String(ttlMs)]).catch(() => {});
      },
      Math.max(50, Math.floor(ttlMs / 3)),
    );
    timer.unref();
    return {
      release() {
        clearInterval(timer);
        redis.command(["ZREM", key, token]).catch(() => {});
      },
    };
  }
}
