// Stream descriptions shared across requests. DescribeStream and ListStreams are control-plane
// calls that AWS limits per account, so a busy gateway asking them on every query throttles
// every other user of the account; a stream's description changes rarely. Answers are kept for
// a short TTL (seconds), bounded in entries, with concurrent misses sharing one call; failures
// are never kept, and a stream is forgotten as soon as any call on it answers ResourceNotFound.

import type { KvsClients } from "./clients.ts";
import { CoalescedCache } from "./coalesced-cache.ts";
import {
  describeStream,
  type ListStreamsInput,
  listStreams,
  nameInArn,
  type StreamDescription,
  type StreamsPage,
} from "./streams.ts";
import { type StreamRef, streamRefKey } from "./validation.ts";

export interface StreamCacheOptions {
  /** How long a description or ListStreams page is reused; 0 turns the cache off. */
  ttlMs: number;
  /** Bound on cached descriptions, and separately on cached ListStreams pages. */
  max: number;
}

export const DEFAULT_STREAM_CACHE: StreamCacheOptions = { ttlMs: 5_000, max: 10_000 };

export class StreamCache {
  readonly #clients: KvsClients;
  readonly #descriptions: CoalescedCache<StreamDescription>;
  readonly #pages: CoalescedCache<StreamsPage>;

  constructor(clients: KvsClients, options: StreamCacheOptions = DEFAULT_STREAM_CACHE) {
    this.#clients = clients;
    this.#descriptions = new CoalescedCache({ ttlMs: options.ttlMs, max: options.max });
    // A page of up to 1000 descriptions weighs far more than one: fewer of them are kept.
    this.#pages = new CoalescedCache({ ttlMs: options.ttlMs, max: Math.max(1, options.max / 100) });
  }

  /** DescribeStream for `ref`; `onCall` runs only when this lookup makes the call. */
  describe(ref: StreamRef, onCall?: () => void): Promise<StreamDescription> {
    return this.#descriptions.get(
      streamRefKey(ref),
      async () => {
        const stream = await describeStream(this.#clients, ref);
        // Known under both keys: `stream(name:)` then `node(id:)` make one call.
        const other = "arn" in ref ? { name: stream.name } : { arn: stream.arn };
        this.#descriptions.set(streamRefKey(other), stream);
        return stream;
      },
      (outcome) => this.#clients.observer.cacheLookup("stream", outcome),
      onCall,
    );
  }

  /** One ListStreams page; `onCall` runs only when this lookup makes the call. */
  listStreams(input: ListStreamsInput, onCall?: () => void): Promise<StreamsPage> {
    const key = JSON.stringify([
      input.maxResults,
      input.nextToken ?? null,
      input.nameStartsWith ?? null,
    ]);
    return this.#pages.get(
      key,
      () => listStreams(this.#clients, input),
      (outcome) => this.#clients.observer.cacheLookup("stream", outcome),
      onCall,
    );
  }

  /**
   * Forgets a stream (its description under name and ARN, and every ListStreams page) after a
   * call on it found it gone or changed.
   */
  forget(ref: StreamRef): void {
    const name = "name" in ref ? ref.name : nameInArn(ref.arn);
    this.#descriptions.evictWhere(
      (key) =>
        key === streamRefKey(ref) ||
        (name !== undefined && (key === `name:${name}` || nameInArn(key.slice(4)) === name)),
    );
    this.#pages.clear();
  }

  get size(): number {
    return this.#descriptions.size + this.#pages.size;
  }
}
