// One stream's shared NOW session as one instance of the fleet sees it. Every instance with
// subscribers to the stream reads the stream's Redis Stream (XREAD BLOCK) and hands each fragment
// to its subscribers once, in fragment-number order (entries at or below the last number
// delivered are dropped). One of them also holds the stream's lease and runs the GetMedia session
// that publishes there; when it dies its lease lapses and another instance with subscribers takes
// it and resumes GetMedia from the last published continuation token.
//
// While Redis is unreachable the instance runs a GetMedia session of its own (resumed from the
// last token it delivered) and delivers from it directly; once Redis answers again it goes back
// to the fleet's events as soon as they overlap with what it delivered, so no fragment is lost
// or repeated on the way.
import { randomUUID } from "node:crypto";
import type { GetMediaFragment } from "../../mkv/getmedia/types.ts";
import { sleep } from "../core/pacer.ts";
import type { StreamArnRef } from "../core/stream-arns.ts";
import type { SharedSessionHandle } from "../getmedia/coordination.ts";
import {
  GetMediaSession,
  type GetMediaSessionDeps,
  type SessionEvent,
} from "../getmedia/session.ts";
import type { StartSelector } from "../getmedia/start.ts";
import type { ClusterKeys } from "./keys.ts";
import type { BlockingRedis, RedisConnection } from "./redis-connection.ts";
import { ACQUIRE_LEASE, PUBLISH_EVENT, RELEASE_LEASE, RENEW_LEASE } from "./scripts.ts";
import { endFields, type FleetEvent, fragmentFields, parseEntry } from "./wire.ts";

export interface FleetSessionSettings {
  /** The lease lapses this long after its holder's last renewal (renewed every third of it). */
  leaseTtlMs: number;
  /** Entries kept per Redis Stream (XADD MAXLEN ~). */
  maxEvents: number;
  /** A published token older than this is not resumed from (a new session starts at NOW). */
  resumeWindowMs: number;
  /** XREAD BLOCK timeout. */
  blockMs: number;
}

export interface FleetSessionContext {
  redis: RedisConnection;
  keys: ClusterKeys;
  instanceId: string;
  settings: FleetSessionSettings;
  /** Told of state changes, for health and metrics. */
  onChange(): void;
  warn(message: string, error?: unknown): void;
}

/** Where this instance's copy of the stream comes from right now. */
export type FleetSessionMode = "fleet" | "local";

/** Fleet entries waiting, while bridging, for the local session to reach them. */
const MAX_PENDING = 512;

export class FleetSharedSession implements SharedSessionHandle {
  readonly streamKey: string;
  readonly #stream: StreamArnRef;
  readonly #deps: GetMediaSessionDeps;
  readonly #onEvent: (event: SessionEvent) => void;
  readonly #context: FleetSessionContext;
  readonly #reader: BlockingRedis;
  readonly #timer: NodeJS.Timeout;
  #stopped = false;
  #mode: FleetSessionMode = "fleet";
  #lastDelivered: bigint | null = null;
  #lastToken: string | null = null;
  /** Read position in the Redis Stream. */
  #lastId = "$";
  /** The lease, while this instance holds it. */
  #lease: { token: string; fence: number } | null = null;
  /** This instance's own GetMedia session: the lease holder's, or the fallback while Redis is down. */
  #own: GetMediaSession | null = null;
  #pending: Array<Extract<FleetEvent, { type: "fragment" }>> = [];
  #ticking = false;

  constructor(
    stream: StreamArnRef,
    streamKey: string,
    deps: GetMediaSessionDeps,
    onEvent: (event: SessionEvent) => void,
    context: FleetSessionContext,
  ) {
    this.#stream = stream;
    this.streamKey = streamKey;
    this.#deps = deps;
    this.#onEvent = onEvent;
    this.#context = context;
    this.#reader = context.redis.blockingClient();
    const interval = Math.max(50, Math.floor(context.settings.leaseTtlMs / 3));
    this.#timer = setInterval(() => void this.#tick(), interval);
    this.#timer.unref();
    void this.#readLoop();
    void this.#tick();
  }

  get mode(): FleetSessionMode {
    return this.#mode;
  }

  get holdsLease(): boolean {
    return this.#lease !== null;
  }

  get streamArn(): string {
    return this.#stream.arn;
  }

  /**
   * Stops reading and publishing. The returned promise settles once the lease (if held) was given
   * up, so another instance can take it at once instead of after the TTL; it never rejects.
   */
  stop(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#stopOwn();
    this.#reader.close();
    const lease = this.#lease;
    this.#lease = null;
    this.#context.onChange();
    if (!lease) return Promise.resolve();
    // The last subscriber left (or the process stops): give the lease up rather than let it lapse.
    const { redis, keys } = this.#context;
    return redis.eval(RELEASE_LEASE, [keys.lease(this.streamKey)], [lease.token]).then(
      () => {},
      () => {},
    );
  }

  // ---- the lease ----

  async #tick(): Promise<void> {
    if (this.#stopped || this.#ticking) return;
    this.#ticking = true;
    try {
      if (this.#lease) await this.#renew(this.#lease);
      else await this.#tryAcquire();
    } catch (error) {
      this.#redisDown(error);
    } finally {
      this.#ticking = false;
    }
  }

  async #renew(lease: { token: string; fence: number }): Promise<void> {
    const { redis, keys, settings } = this.#context;
    const kept = await redis.eval(
      RENEW_LEASE,
      [keys.lease(this.streamKey)],
      [lease.token, String(settings.leaseTtlMs)],
    );
    if (this.#stopped || this.#lease !== lease) return;
    if (Number(kept) === 1) return;
    // Lapsed (this instance stalled past the TTL) and maybe taken: stop publishing.
    this.#context.warn(`lost the GetMedia lease of ${this.#stream.arn}`);
    this.#lease = null;
    if (this.#mode === "fleet") this.#stopOwn();
    this.#context.onChange();
  }

  async #tryAcquire(): Promise<void> {
    const { redis, keys, settings, instanceId } = this.#context;
    const token = `${instanceId}:${randomUUID()}`;
    const fence = Number(
      await redis.eval(
        ACQUIRE_LEASE,
        [keys.lease(this.streamKey), keys.fence(this.streamKey)],
        [token, String(settings.leaseTtlMs)],
      ),
    );
    if (fence === 0) return;
    if (this.#stopped) {
      await redis.eval(RELEASE_LEASE, [keys.lease(this.streamKey)], [token]);
      return;
    }
    this.#lease = { token, fence };
    if (this.#own === null) this.#startOwn(await this.#resumePoint());
    this.#context.onChange();
  }

  /**
   * Where a new holder starts: after the last fragment the fleet published, if that is recent (the
   * previous holder died or left moments ago), else after the last one this instance delivered,
   * else at NOW.
   */
  async #resumePoint(): Promise<StartSelector> {
    const { redis, keys, settings } = this.#context;
    const reply = (await redis.command([
      "XREVRANGE",
      keys.events(this.streamKey),
      "+",
      "-",
      "COUNT",
      "1",
    ])) as Array<[string, string[]]>;
    const last = reply[0];
    if (last) {
      const publishedMs = Number(last[0].split("-")[0]);
      const event = parseEntry(last[1]);
      if (
        event?.type === "fragment" &&
        event.token !== null &&
        Date.now() - publishedMs <= settings.resumeWindowMs
      ) {
        return { type: "CONTINUATION_TOKEN", continuationToken: event.token };
      }
    }
    return this.#ownResumePoint();
  }

  #ownResumePoint(): StartSelector {
    return this.#lastToken === null
      ? { type: "NOW" }
      : { type: "CONTINUATION_TOKEN", continuationToken: this.#lastToken };
  }

  // ---- this instance's own session ----

  #startOwn(start: StartSelector): void {
    const session: GetMediaSession = new GetMediaSession({
      ...this.#deps,
      stream: this.#stream,
      start,
      onEvent: (event) => this.#fromOwn(session, event),
    });
    this.#own = session;
    void session.run();
  }

  #stopOwn(): void {
    this.#own?.stop();
    this.#own = null;
  }

  #fromOwn(session: GetMediaSession, event: SessionEvent): void {
    if (this.#stopped || session !== this.#own) return;
    if (event.type === "reconnecting") return;
    const lease = this.#lease;
    if (lease) this.#publish(lease, event);
    // In fleet mode the holder delivers what it reads back from Redis, like every instance.
    if (this.#mode === "local") {
      if (event.type === "fragment") this.#deliverLocal(event.fragment);
      else this.#end(event.error);
    }
  }

  #publish(
    lease: { token: string; fence: number },
    event: Exclude<SessionEvent, { type: "reconnecting" }>,
  ): void {
    const { redis, keys, settings } = this.#context;
    const fields =
      event.type === "fragment"
        ? fragmentFields(event.fragment, lease.fence)
        : endFields(event.error, lease.fence);
    redis
      .eval(
        PUBLISH_EVENT,
        [keys.lease(this.streamKey), keys.events(this.streamKey)],
        [
          lease.token,
          String(settings.maxEvents),
          String(Math.max(60_000, settings.resumeWindowMs * 4)),
          ...fields,
        ],
      )
      .then((id) => {
        if (id === null && this.#lease === lease && !this.#stopped) {
          // Refused: the lease is no longer ours (the renewal will notice too).
          this.#lease = null;
          if (this.#mode === "fleet") this.#stopOwn();
          this.#context.onChange();
        }
      })
      .catch((error: unknown) => {
        // This event reached nobody through Redis: deliver it here, and go local.
        if (this.#stopped || this.#own === null) return;
        const wasFleet = this.#mode === "fleet";
        this.#redisDown(error);
        if (wasFleet) {
          if (event.type === "fragment") this.#deliverLocal(event.fragment);
          else this.#end(event.error);
        }
      });
    if (event.type === "end") {
      this.#lease = null;
      redis.eval(RELEASE_LEASE, [keys.lease(this.streamKey)], [lease.token]).catch(() => {});
    }
  }

  // ---- reading the fleet's events ----

  async #readLoop(): Promise<void> {
    const { keys, settings } = this.#context;
    const key = keys.events(this.streamKey);
    while (!this.#stopped) {
      let reply: unknown;
      try {
        reply = await this.#reader.command([
          "XREAD",
          "COUNT",
          "256",
          "BLOCK",
          String(settings.blockMs),
          "STREAMS",
          key,
          this.#lastId,
        ]);
      } catch (error) {
        if (this.#stopped) return;
        this.#redisDown(error);
        await sleep(250).catch(() => {});
        continue;
      }
      if (this.#stopped) return;
      const streams = reply as Array<[string, Array<[string, string[]]>]> | null;
      for (const [, entries] of streams ?? []) {
        for (const [id, fields] of entries) {
          this.#lastId = id;
          const event = parseEntry(fields);
          if (event) this.#fromFleet(event);
          if (this.#stopped) return;
        }
      }
    }
  }

  #fromFleet(event: FleetEvent): void {
    if (event.type === "end") {
      if (this.#mode === "fleet") this.#end(event.error);
      return;
    }
    if (this.#mode === "fleet") {
      this.#deliver(event.number, event.token, event.fragment);
      return;
    }
    // Bridging: the local session delivers until the fleet's events overlap with it.
    if (this.#lastDelivered !== null && event.number <= this.#lastDelivered) {
      this.#backToFleet();
      return;
    }
    if (this.#pending.length < MAX_PENDING) this.#pending.push(event);
  }

  #deliverLocal(fragment: GetMediaFragment): void {
    const text = fragment.fragmentNumber;
    if (text === null) return;
    const number = BigInt(text);
    this.#deliver(number, fragment.continuationToken, fragment);
    // A fleet entry for the same fragment: from here on the fleet's events follow on.
    if (this.#pending.some((entry) => entry.number === number)) this.#backToFleet();
    else this.#pending = this.#pending.filter((entry) => entry.number > number);
  }

  #backToFleet(): void {
    this.#mode = "fleet";
    if (this.#lease === null) this.#stopOwn();
    const pending = this.#pending;
    this.#pending = [];
    for (const entry of pending) this.#deliver(entry.number, entry.token, entry.fragment);
    this.#context.warn(`GetMedia of ${this.#stream.arn} follows the fleet again`);
    this.#context.onChange();
  }

  #redisDown(error: unknown): void {
    if (this.#stopped || this.#mode === "local") return;
    this.#mode = "local";
    this.#pending = [];
    this.#context.warn(
      `Redis unreachable: GetMedia of ${this.#stream.arn} runs on this instance alone until it returns`,
      error,
    );
    if (this.#own === null) this.#startOwn(this.#ownResumePoint());
    this.#context.onChange();
  }

  #deliver(number: bigint, token: string | null, fragment: GetMediaFragment): void {
    if (this.#lastDelivered !== null && number <= this.#lastDelivered) return;
    this.#lastDelivered = number;
    if (token !== null) this.#lastToken = token;
    this.#onEvent({ type: "fragment", fragment });
  }

  #end(error: Error): void {
    if (this.#stopped) return;
    this.#onEvent({ type: "end", error });
  }
}
