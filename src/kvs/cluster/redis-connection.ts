// The Redis link of cluster mode (node-redis). Commands fail at once while Redis is unreachable
// (no offline queue: a caller must fall back to its local answer rather than wait), the client
// reconnects by itself with a capped backoff, and every command sent is counted, so health and
// metrics can say whether Redis is up and what the fleet coordination costs.
import { createClient } from "redis";

export type RedisState = "connecting" | "ready" | "down";

export interface RedisConnectionOptions {
  url: string;
  /** Told when Redis goes away or comes back (one call per change). */
  onStateChange?(state: RedisState, error: Error | undefined): void;
  /** A command not answered within this long fails (default 2 s). */
  commandTimeoutMs?: number;
}

const MAX_RECONNECT_DELAY_MS = 1_000;

export class RedisConnection {
  readonly #client: Client;
  readonly #options: RedisConnectionOptions;
  readonly #blocking = new Set<Client>();
  #state: RedisState = "connecting";
  #commands = 0;
  #failures = 0;
  #closed = false;

  constructor(options: RedisConnectionOptions) {
    this.#options = options;
    this.#client = this.#connect();
    this.#client.on("ready", () => this.#setState("ready", undefined));
    this.#client.on("error", (error: Error) => this.#setState("down", error));
    this.#client.on("reconnecting", () => {
      if (this.#state === "ready") this.#setState("down", new Error("Redis connection lost"));
    });
  }

  get state(): RedisState {
    return this.#state;
  }

  /** Commands sent since start (each one round trip), blocking reads included. */
  get commandCount(): number {
    return this.#commands;
  }

  /** Commands that failed (Redis unreachable, timed out or refused them). */
  get failureCount(): number {
    return this.#failures;
  }

  /**
   * The node-redis client itself (RESP 2, no offline queue: commands fail at once while Redis is
   * away), for libraries that take one, e.g. rate-limiter-flexible's RateLimiterRedis with
   * `useRedisPackage: true` and a RateLimiterMemory as its `insuranceLimiter`.
   */
  get client(): Client {
    return this.#client;
  }

  /** One command, e.g. ["SET", key, value]; rejects at once while Redis is unreachable. */
  async command(args: readonly string[]): Promise<unknown> {
    return this.#send(this.#client, args);
  }

  /** Runs a Lua script of scripts.ts (EVAL: one round trip). */
  eval(script: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return this.command(["EVAL", script, String(keys.length), ...keys, ...args]);
  }

  /**
   * A connection of its own for blocking reads (XREAD BLOCK holds its connection until it
   * answers); close it with `closeBlocking`.
   */
  blockingClient(): BlockingRedis {
    const client = this.#connect();
    client.on("error", () => {});
    this.#blocking.add(client);
    return {
      command: (args) => this.#send(client, args),
      close: () => {
        this.#blocking.delete(client);
        client.destroy();
      },
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const client of this.#blocking) client.destroy();
    this.#blocking.clear();
    this.#client.destroy();
  }

  #connect(): Client {
    const client = newClient(this.#options.url);
    // connect() rejects when Redis is not there yet; the client keeps trying by itself.
    client.connect().catch(() => {});
    return client;
  }

  async #send(client: Client, args: readonly string[]): Promise<unknown> {
    // A connection still being opened (at start, or a new blocking one) gets a moment first;
    // one that is down fails at once.
    if (!client.isReady && this.#state !== "down") await whenReady(client, 1_000);
    this.#commands++;
    try {
      return await client.sendCommand([...args]);
    } catch (error) {
      this.#failures++;
      throw error;
    }
  }

  #setState(state: RedisState, error: Error | undefined): void {
    if (this.#closed || this.#state === state) return;
    this.#state = state;
    this.#options.onStateChange?.(state, error);
  }
}

export interface BlockingRedis {
  command(args: readonly string[]): Promise<unknown>;
  close(): void;
}

/** Resolves once `client` is ready, or after `timeoutMs` (the command then fails as offline). */
function whenReady(client: Client, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off("ready", done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.on("ready", done);
  });
}

function newClient(url: string) {
  return createClient({
    url,
    // Replies as arrays (XREAD's streams in order), which is what the readers here parse.
    RESP: 2,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2_000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
    },
  });
}

type Client = ReturnType<typeof newClient>;
