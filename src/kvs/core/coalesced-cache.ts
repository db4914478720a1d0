// A bounded TTL cache whose concurrent misses for one key share one upstream call, and whose
// evictions also cancel the caching of a lookup already under way (an answer fetched before an
// eviction must not refill the cache). The KVS caches that answer many requests from one call
// (stream descriptions, ListStreams pages) are built on it.

import { LRUCache } from "lru-cache";
import type { KvsCacheOutcome } from "./observer.ts";

export interface CoalescedCacheOptions<V extends NonNullable<unknown>> {
  ttlMs: number;
  /** Bound on entries. */
  max: number;
  /** Bound on the entries' total size, as `sizeOf` measures them (no bound when undefined). */
  maxSize?: number | undefined;
  sizeOf?: ((value: V) => number) | undefined;
  /** A TTL per entry, by its value (e.g. shorter for answers that may still change). */
  ttlOf?: ((value: V) => number) | undefined;
}

interface Lookup<V> {
  stale: boolean;
  readonly promise: Promise<V>;
}

export class CoalescedCache<V extends NonNullable<unknown>> {
  readonly #cache: LRUCache<string, V> | undefined;
  readonly #inFlight = new Map<string, Lookup<V>>();
  readonly #ttlOf: ((value: V) => number) | undefined;

  constructor(options: CoalescedCacheOptions<V>) {
    this.#ttlOf = options.ttlOf;
    // A TTL of 0 turns caching off: every lookup makes its call (concurrent ones still share it).
    this.#cache =
      options.ttlMs > 0
        ? new LRUCache<string, V>({
            max: options.max,
            ttl: options.ttlMs,
            ...(options.maxSize !== undefined && options.sizeOf !== undefined
              ? {
                  maxSize: options.maxSize,
                  sizeCalculation: (value: V) => options.sizeOf?.(value) ?? 1,
                }
              : {}),
          })
        : undefined;
  }

  /**
   * The value under `key`: cached, joined to the lookup under way, or fetched by `fetch` (only
   * then does `onMiss` run, before the call: the caller's budget is spent only for a real call).
   */
  get(
    key: string,
    fetch: () => Promise<V>,
    report: (outcome: KvsCacheOutcome) => void = () => {},
    onMiss: () => void = () => {},
  ): Promise<V> {
    const cached = this.#cache?.get(key);
    if (cached !== undefined) {
      report("hit");
      return Promise.resolve(cached);
    }
    const running = this.#inFlight.get(key);
    if (running) {
      report("shared");
      return running.promise;
    }
    onMiss();
    report("miss");
    const lookup: Lookup<V> = {
      stale: false,
      promise: fetch().then((value) => {
        if (!lookup.stale) this.set(key, value);
        return value;
      }),
    };
    this.#inFlight.set(key, lookup);
    const forget = () => {
      if (this.#inFlight.get(key) === lookup) this.#inFlight.delete(key);
    };
    lookup.promise.then(forget, forget);
    return lookup.promise;
  }

  /** Caches `value` under `key` (e.g. the same answer under a second key). */
  set(key: string, value: V): void {
    this.#cache?.set(key, value, this.#ttlOf ? { ttl: this.#ttlOf(value) } : {});
  }

  evict(key: string): void {
    this.#cache?.delete(key);
    this.#forget(key);
  }

  /** Evicts every key `matches` accepts (cached entries and lookups under way). */
  evictWhere(matches: (key: string) => boolean): void {
    for (const key of [...(this.#cache?.keys() ?? [])]) if (matches(key)) this.#cache?.delete(key);
    for (const key of [...this.#inFlight.keys()]) if (matches(key)) this.#forget(key);
  }

  clear(): void {
    this.#cache?.clear();
    for (const key of [...this.#inFlight.keys()]) this.#forget(key);
  }

  get size(): number {
    return this.#cache?.size ?? 0;
  }

  /** Keys held in any way: cached entries plus lookups under way. */
  get trackedKeys(): number {
    let count = this.size;
    for (const key of this.#inFlight.keys()) if (!this.#cache?.has(key)) count++;
    return count;
  }

  /** The entries' total size by `sizeOf` (0 without a size bound). */
  get calculatedSize(): number {
    return this.#cache?.calculatedSize ?? 0;
  }

  #forget(key: string): void {
    const lookup = this.#inFlight.get(key);
    if (lookup === undefined) return;
    lookup.stale = true;
    this.#inFlight.delete(key);
  }
}
