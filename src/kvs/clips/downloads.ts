import type { Readable } from "node:stream";
import {
  type CachedClip,
  type ClipCache,
  type ClipImmutabilityPolicy,
  clipCacheKey,
  DEFAULT_IMMUTABILITY,
  isClipImmutable,
} from "./cache.ts";
import { ClipFlight, type ClipUpstreamResponse, RetentionBudget } from "./flight.ts";
import type { ClipGovernor } from "./governor.ts";
import type { ClipGrant } from "./signing.ts";

/**
 * Where clip bytes come from, in order: the cache of immutable clips, a GetClip already running for
 * the same clip, or a new GetClip started when the stream's governor allows.
 */

/** One GetClip, unpaced: the governor wraps it. Must abort request and body when `signal` fires. */
export type GetClipCall = (grant: ClipGrant, signal: AbortSignal) => Promise<ClipUpstreamResponse>;

export type ClipSource = "cache" | "shared" | "upstream";

const DEFAULT_JOIN_WINDOW_BYTES = 8 * 1024 * 1024;

export interface ClipDownload {
  /** Resolves once bytes can flow; rejects with the upstream error (a KvsError for KVS exceptions). */
  readonly ready: Promise<{ contentLength: number | undefined }>;
  /** The MP4. Destroy it to give up (an upstream call nobody else reads is then aborted). */
  readonly body: Readable;
  readonly source: ClipSource;
}

export interface ClipDownloadsOptions {
  getClip: GetClipCall;
  governor: ClipGovernor;
  cache: ClipCache;
  immutability?: ClipImmutabilityPolicy;
  /** Bytes all running downloads may retain for late joiners and the cache (default 256 MiB). */
  maxInFlightBytes?: number;
  /**
   * How much of a clip that may still change (so won't be cached) is kept for late joiners
   * (default 8 MiB). Past it the download streams with no copy, and a new request makes its own
   * GetClip.
   */
  joinWindowBytes?: number;
  now?: () => number;
}

export class ClipDownloads {
  readonly #options: ClipDownloadsOptions;
  readonly #flights = new Map<string, ClipFlight>();
  readonly #budget: RetentionBudget;
  readonly #now: () => number;
  readonly #immutability: ClipImmutabilityPolicy;

  constructor(options: ClipDownloadsOptions) {
    this.#options = options;
    this.#budget = new RetentionBudget(options.maxInFlightBytes ?? 256 * 1024 * 1024);
    this.#now = options.now ?? Date.now;
    this.#immutability = options.immutability ?? DEFAULT_IMMUTABILITY;
  }

  /** How much of a clip that may still change is kept for late joiners. */
  get joinWindowBytes(): number {
    return this.#options.joinWindowBytes ?? DEFAULT_JOIN_WINDOW_BYTES;
  }

  /** Bytes currently retained by running downloads. */
  get inFlightBytes(): number {
    return this.#budget.usedBytes;
  }

  get inFlightCount(): number {
    return this.#flights.size;
  }

  /** The clip, if the cache holds it. */
  cached(grant: ClipGrant): CachedClip | undefined {
    return this.#options.cache.get(clipCacheKey(grant));
  }

  /** Whether a download of this clip started now would be kept (if it fits the cache). */
  cacheable(grant: ClipGrant): boolean {
    return isClipImmutable(grant, this.#now(), this.#immutability);
  }

  /** Whether `open` would join a download of this clip already running (no GetClip of its own). */
  joinable(grant: ClipGrant): boolean {
    return this.#flights.get(clipCacheKey(grant))?.joinable === true;
  }

  open(grant: ClipGrant): ClipDownload {
    const key = clipCacheKey(grant);
    const cached = this.#options.cache.get(key);
    if (cached !== undefined) {
      return {
        ready: Promise.resolve({ contentLength: cached.size }),
        body: cached.open(),
        source: "cache",
      };
    }
    const running = this.#flights.get(key);
    if (running?.joinable) {
      return { ready: running.ready, body: running.join(), source: "shared" };
    }
    const flight = this.#start(key, grant);
    return { ready: flight.ready, body: flight.join(), source: "upstream" };
  }

  #start(key: string, grant: ClipGrant): ClipFlight {
    const { governor, getClip, cache } = this.#options;
    // Settled now means settled when KVS is asked (later): the answer can be kept.
    const settled = this.cacheable(grant);
    const flight: ClipFlight = new ClipFlight(
      (signal) => governor.run(grant.streamArn, () => getClip(grant, signal), signal),
      {
        // A clip for the cache is kept whole (within the cache's entry bound); any other only
        // for as long as latecomers can usefully join it.
        maxRetainedBytes: settled
          ? cache.maxEntryBytes
          : Math.min(cache.maxEntryBytes, this.joinWindowBytes),
        budget: this.#budget,
        onComplete: (chunks, size) => (settled ? cache.set(key, chunks, size) : undefined),
        onClosed: () => {
          if (this.#flights.get(key) === flight) this.#flights.delete(key);
        },
      },
    );
    this.#flights.set(key, flight);
    return flight;
  }
}
