// Cluster mode's coordination as one object: the Redis link, the fleet-wide shared sessions and
// private slots for GetMediaFanout, fleet-wide pacers, and a status for health and metrics.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { RateLimitPolicy, StartGate } from "../core/pacer.ts";
import { streamRefKey } from "../core/validation.ts";
import type { SharedSessionSource } from "../getmedia/coordination.ts";
import { FleetPacer } from "./fleet-pacer.ts";
import { type FleetSessionSettings, FleetSharedSession } from "./fleet-session.ts";
import { ClusterKeys } from "./keys.ts";
import { FleetPrivateSlots } from "./private-slots.ts";
import { RedisConnection, type RedisState } from "./redis-connection.ts";
import { COUNT_SLOTS } from "./scripts.ts";

export interface ClusterOptions {
  /** REDIS_URL, e.g. redis://127.0.0.1:6379. */
  url: string;
  /** REDIS_KEY_PREFIX (default "kvs-gateway:"): the same on every instance of one fleet. */
  keyPrefix?: string;
  /** GetMedia lease TTL (default 3000 ms): how long a dead holder's streams wait for a new one. */
  leaseTtlMs?: number;
  /** Entries kept per stream's Redis Stream (default 1000). */
  maxEvents?: number;
  /** Told of every warning-worthy change (Redis lost or back, lease lost, fallbacks). */
  warn?(message: string, error?: unknown): void;
  /** Told each time a call used local limits because Redis could not be asked. */
  onFallback?(scope: string): void;
}

export interface ClusterStatus {
  mode: "redis";
  instanceId: string;
  redis: RedisState;
  keyPrefix: string;
  /** Streams this instance follows through the fleet, and how. */
  streams: Array<{ streamArn: string; leaseHeld: boolean; mode: "fleet" | "local" }>;
  leasesHeld: number;
  redisCommands: number;
  redisFailures: number;
}

export class ClusterCoordination {
  readonly redis: RedisConnection;
  readonly keys: ClusterKeys;
  readonly instanceId = `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  readonly sharedSessions: SharedSessionSource;
  readonly privateSlots: FleetPrivateSlots;
  readonly #sessions = new Set<FleetSharedSession>();
  /** Lease releases still on their way to Redis (awaited by close). */
  readonly #releasing = new Set<Promise<void>>();
  readonly #options: ClusterOptions;

  constructor(options: ClusterOptions) {
    this.#options = options;
    const warn = options.warn ?? (() => {});
    this.keys = new ClusterKeys(options.keyPrefix ?? "kvs-gateway:");
    this.redis = new RedisConnection({
      url: options.url,
      onStateChange: (state, error) =>
        warn(
          state === "ready" ? "Redis connected: cluster mode" : `Redis ${state}`,
          state === "ready" ? undefined : error,
        ),
    });
    const leaseTtlMs = options.leaseTtlMs ?? 3_000;
    const settings: FleetSessionSettings = {
      leaseTtlMs,
      maxEvents: options.maxEvents ?? 1_000,
      resumeWindowMs: Math.max(10_000, leaseTtlMs * 5),
      blockMs: 1_000,
    };
    const context = {
      redis: this.redis,
      keys: this.keys,
      instanceId: this.instanceId,
      settings,
      onChange: () => {},
      warn,
    };
    this.sharedSessions = {
      open: (stream, deps, onEvent) => {
        const session = new FleetSharedSession(
          stream,
          streamRefKey(stream),
          deps,
          (event) => {
            onEvent(event);
          },
          context,
        );
        this.#sessions.add(session);
        return {
          stop: () => {
            this.#sessions.delete(session);
            this.#track(session.stop());
          },
        };
      },
    };
    this.privateSlots = new FleetPrivateSlots({
      redis: this.redis,
      keys: this.keys,
      instanceId: this.instanceId,
      ttlMs: Math.max(3_000, leaseTtlMs * 3),
      onFallback: () => options.onFallback?.("getmedia_private_sessions"),
    });
  }

  /** A pacer of `policy` per key for the whole fleet, falling back to `local`. */
  pacer(name: string, policy: RateLimitPolicy, local: StartGate): StartGate {
    return new FleetPacer({
      redis: this.redis,
      keys: this.keys,
      name,
      policy,
      fallback: local,
      onFallback: () => this.#options.onFallback?.(name),
    });
  }

  status(): ClusterStatus {
    const streams = [...this.#sessions].map((session) => ({
      streamArn: session.streamArn,
      leaseHeld: session.holdsLease,
      mode: session.mode,
    }));
    return {
      mode: "redis",
      instanceId: this.instanceId,
      redis: this.redis.state,
      keyPrefix: this.keys.prefix,
      streams,
      leasesHeld: streams.filter((stream) => stream.leaseHeld).length,
      redisCommands: this.redis.commandCount,
      redisFailures: this.redis.failureCount,
    };
  }

  /** Fleet-wide counts of the streams this instance follows: who holds each lease, private slots. */
  async fleetCounts(): Promise<
    Array<{ streamArn: string; leaseHolder: string | null; privateSessions: number }>
  > {
    const out = [];
    for (const session of this.#sessions) {
      const holder = (await this.redis.command(["GET", this.keys.lease(session.streamKey)])) as
        | string
        | null;
      const slots = await this.redis.eval(
        COUNT_SLOTS,
        [this.keys.privateSlots(session.streamKey)],
        [],
      );
      out.push({
        streamArn: session.streamArn,
        leaseHolder: holder === null ? null : holder.slice(0, holder.lastIndexOf(":")),
        privateSessions: Number(slots),
      });
    }
    return out;
  }

  /** Gives up the leases held (so others take over at once), then closes the Redis link. */
  async close(): Promise<void> {
    for (const session of this.#sessions) this.#track(session.stop());
    this.#sessions.clear();
    const released = Promise.all(this.#releasing);
    await Promise.race([released, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    this.redis.close();
  }

  #track(release: Promise<void>): void {
    this.#releasing.add(release);
    void release.finally(() => this.#releasing.delete(release));
  }
}
