// GetDataEndpoint resolution. KVS asks clients to cache a stream's data endpoint (refreshing
// about every 45 minutes) and limits GetDataEndpoint to 5 TPS per stream, so:
// - one lru-cache shared by all requests holds endpoints per (stream, APIName) with a TTL;
// - concurrent misses for one key share one upstream call;
// - each request reads through its own DataLoader, so a request sees one endpoint per key;
// - a call that fails with InvalidEndpointException or a connection failure evicts the
//   endpoint and is retried once against a freshly resolved one.

import { type APIName, GetDataEndpointCommand } from "@aws-sdk/client-kinesis-video";
import DataLoader from "dataloader";
import type { KvsClients } from "./clients.ts";
import { CoalescedCache } from "./coalesced-cache.ts";
import {
  InvalidEndpointError,
  isConnectionFailure,
  toKvsError,
  UpstreamUnavailableError,
} from "./errors.ts";
import { type StreamRef, streamRefInput, streamRefKey } from "./validation.ts";

export type DataEndpointApi = APIName;

export interface EndpointCacheOptions {
  /** How long a resolved endpoint is trusted. KVS advises refreshing about every 45 minutes. */
  ttlMs: number;
  /** Bound on cached (stream, APIName) entries. */
  max: number;
}

export const DEFAULT_ENDPOINT_TTL_MS = 45 * 60 * 1000;
export const DEFAULT_ENDPOINT_CACHE_MAX = 10_000;

export interface EndpointKey {
  readonly stream: StreamRef;
  readonly api: DataEndpointApi;
}

const cacheKey = ({ stream, api }: EndpointKey): string => `${api} ${streamRefKey(stream)}`;

/** Shared by every request of a gateway process. */
export class EndpointCache {
  readonly #clients: KvsClients;
  readonly #lookups: CoalescedCache<string>;

  constructor(clients: KvsClients, options: EndpointCacheOptions) {
    this.#clients = clients;
    this.#lookups = new CoalescedCache<string>({ max: options.max, ttlMs: options.ttlMs });
  }

  /** The data endpoint for (stream, api): cached, or one GetDataEndpoint call shared by all callers. */
  resolve(key: EndpointKey): Promise<string> {
    const observer = this.#clients.observer;
    return this.#lookups.get(
      cacheKey(key),
      () =>
        this.#fetch(key).catch((error: unknown) => {
          throw toKvsError(error);
        }),
      (outcome) => observer.cacheLookup("endpoint", outcome),
    );
  }

  /** Forgets the endpoint for (stream, api); the next lookup calls GetDataEndpoint again. */
  evict(key: EndpointKey): void {
    this.#lookups.evict(cacheKey(key));
  }

  /** Forgets every endpoint. */
  clear(): void {
    this.#lookups.clear();
  }

  get size(): number {
    return this.#lookups.size;
  }

  /** Keys the cache holds anything for: cached endpoints plus lookups under way. */
  get trackedKeys(): number {
    return this.#lookups.trackedKeys;
  }

  /** A per-request view: one DataLoader over this cache. */
  loader(): EndpointLoader {
    return new EndpointLoader(this);
  }

  async #fetch({ stream, api }: EndpointKey): Promise<string> {
    const output = await this.#clients.control.send(
      new GetDataEndpointCommand({ ...streamRefInput(stream), APIName: api }),
    );
    if (!output.DataEndpoint) {
      throw new UpstreamUnavailableError("GetDataEndpoint answered without a DataEndpoint", {
        requestId: output.$metadata.requestId,
        code: "MissingDataEndpoint",
      });
    }
    return output.DataEndpoint;
  }
}

/** True for failures meaning "this endpoint is no longer the stream's": evict and try again. */
export function isStaleEndpointFailure(error: unknown): boolean {
  return (
    error instanceof InvalidEndpointError ||
    (error instanceof Error && error.name === "InvalidEndpointException") ||
    isConnectionFailure(error) ||
    (error instanceof UpstreamUnavailableError && isConnectionFailure(error.cause))
  );
}

/** One request's endpoint lookups, deduplicated by a DataLoader over the shared cache. */
export class EndpointLoader {
  readonly #cache: EndpointCache;
  readonly #loader: DataLoader<EndpointKey, string, string>;

  constructor(cache: EndpointCache) {
    this.#cache = cache;
    this.#loader = new DataLoader(
      (keys) =>
        Promise.all(
          keys.map((key) =>
            cache
              .resolve(key)
              .catch((error: unknown) =>
                error instanceof Error ? error : new Error(String(error)),
              ),
          ),
        ),
      { cacheKeyFn: cacheKey },
    );
  }

  load(stream: StreamRef, api: DataEndpointApi): Promise<string> {
    return this.#loader.load({ stream, api });
  }

  /** Evicts (stream, api) from this request and from the shared cache. */
  evict(stream: StreamRef, api: DataEndpointApi): void {
    this.#loader.clear({ stream, api });
    this.#cache.evict({ stream, api });
  }

  /**
   * Runs `call` against the stream's data endpoint for `api`. When it fails because the
   * endpoint is stale (InvalidEndpointException, connection failure), the endpoint is evicted,
   * resolved again and `call` retried once. Errors come out mapped to KvsError classes.
   */
  async withEndpoint<T>(
    stream: StreamRef,
    api: DataEndpointApi,
    call: (endpoint: string) => Promise<T>,
  ): Promise<T> {
    const endpoint = await this.load(stream, api);
    try {
      return await call(endpoint);
    } catch (error) {
      if (!isStaleEndpointFailure(error)) throw toKvsError(error);
      this.evict(stream, api);
    }
    const fresh = await this.load(stream, api);
    try {
      return await call(fresh);
    } catch (error) {
      throw toKvsError(error);
    }
  }
}
