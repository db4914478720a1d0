// Live GetMedia sessions are shared per stream, and a client may name a stream by its name or by
// its ARN: the fan-out keys on the ARN, so a name is resolved (DescribeStream) first. Resolved
// names are kept for a short while per process, so a crowd of subscribers costs one call; the
// short life bounds how long a name can point at a stream deleted and created again.
import { CoalescedCache } from "./coalesced-cache.ts";
import type { StreamDescription } from "./streams.ts";
import type { StreamRef } from "./validation.ts";

/** A stream named by its ARN: what the fan-out keys sessions on. */
export type StreamArnRef = Extract<StreamRef, { readonly arn: string }>;

export interface StreamArnCacheOptions {
  /** How long a name → ARN answer is trusted (default 60 s). */
  ttlMs?: number;
  /** Bound on cached names (default 10,000). */
  max?: number;
}

export const DEFAULT_STREAM_ARN_TTL_MS = 60_000;
const DEFAULT_STREAM_ARN_CACHE_MAX = 10_000;

export class StreamArnCache {
  readonly #arns: CoalescedCache<string>;

  constructor(options: StreamArnCacheOptions = {}) {
    this.#arns = new CoalescedCache<string>({
      max: options.max ?? DEFAULT_STREAM_ARN_CACHE_MAX,
      ttlMs: options.ttlMs ?? DEFAULT_STREAM_ARN_TTL_MS,
    });
  }

  /**
   * The stream's ARN: as given, cached, or from `describe` (concurrent askers for one name share
   * one call). Failures are not cached; they reject with `describe`'s error.
   */
  async resolve(
    ref: StreamRef,
    describe: (ref: StreamRef) => Promise<StreamDescription>,
  ): Promise<StreamArnRef> {
    if ("arn" in ref) return ref;
    const arn = await this.#arns.get(
      ref.name,
      async () => (await describe(ref)).arn,
      () => {},
    );
    return { arn };
  }

  /** Drops what is known about `name` (its stream turned out to be gone). */
  forget(name: string): void {
    this.#arns.evict(name);
  }
}
