// Image windows (one GetImages page each) cached by bytes and shared: a thumbnail strip loaded by
// many viewers, or reloaded, costs one GetImages per window. Concurrent misses of one window wait
// for the same call. A window that may still gain media (its end within `recentMs` of now, by
// either timestamp) is kept only briefly, so a live edge's NO_MEDIA does not stick.
import { CoalescedCache } from "../core/coalesced-cache.ts";
import type { KvsCacheOutcome } from "../core/observer.ts";
import { type ImageWindow, pointTimestampMs, windowKey, windowOf, windowRange } from "./plan.ts";
import type { GetImagesCall, UpstreamImage } from "./upstream.ts";

export interface ImageCacheOptions {
  /** Bytes of image content kept (default 64 MiB). */
  maxBytes?: number;
  /** How long a settled window is kept (default 1 hour). */
  ttlMs?: number;
  /** A window ending less than this long ago is "recent" (default 2 minutes). */
  recentMs?: number;
  /** How long a recent window is kept (default 5 s). */
  recentTtlMs?: number;
  /**
   * GetImages calls in flight at once, process-wide (default 4): a window of 25 large PNGs is
   * tens of MB of JSON, so this bounds the memory of answers being read.
   */
  maxConcurrentCalls?: number;
}

export type WindowSource = "cache" | "shared" | "upstream";

interface CachedWindow {
  readonly images: UpstreamImage[];
  readonly ttlMs: number;
}

/** Per-image bookkeeping on top of its bytes, so empty windows still count. */
const IMAGE_OVERHEAD_BYTES = 128;

export class ImageWindows {
  readonly #call: GetImagesCall;
  readonly #cache: CoalescedCache<CachedWindow>;
  readonly #closing = new AbortController();
  readonly #ttlMs: number;
  readonly #recentMs: number;
  readonly #recentTtlMs: number;
  readonly #now: () => number;
  readonly #maxCalls: number;
  #calls = 0;
  readonly #queued: Array<() => void> = [];

  readonly #observe: (outcome: KvsCacheOutcome) => void;

  constructor(
    call: GetImagesCall,
    options: ImageCacheOptions = {},
    now: () => number = Date.now,
    observe: (outcome: KvsCacheOutcome) => void = () => {},
  ) {
    this.#observe = observe;
    this.#call = call;
    this.#ttlMs = options.ttlMs ?? 3_600_000;
    this.#recentMs = options.recentMs ?? 120_000;
    this.#recentTtlMs = options.recentTtlMs ?? 5_000;
    this.#now = now;
    this.#maxCalls = options.maxConcurrentCalls ?? 4;
    this.#cache = new CoalescedCache<CachedWindow>({
      ttlMs: this.#ttlMs,
      max: 100_000,
      maxSize: options.maxBytes ?? 64 * 1024 * 1024,
      sizeOf: ({ images }) =>
        images.reduce(
          (sum, image) => sum + IMAGE_OVERHEAD_BYTES + (image.content?.length ?? 0),
          IMAGE_OVERHEAD_BYTES,
        ),
      ttlOf: (window) => window.ttlMs,
    });
  }

  /** The window's images, from the cache, a call already running, or a new GetImages (`spend` first). */
  async get(
    window: ImageWindow,
    spend: () => void,
  ): Promise<{ images: UpstreamImage[]; source: WindowSource }> {
    let source: WindowSource = "upstream";
    const { images } = await this.#cache.get(
      windowKey(window),
      async () => {
        const images = await this.#limited(() => this.#call(window, this.#closing.signal, spend));
        // A window that may still gain media (near the live edge) is kept only briefly.
        const recent = windowRange(window).endMs > this.#now() - this.#recentMs;
        return { images, ttlMs: recent ? this.#recentTtlMs : this.#ttlMs };
      },
      (outcome) => {
        this.#observe(outcome);
        source = outcome === "hit" ? "cache" : outcome === "shared" ? "shared" : "upstream";
      },
    );
    return { images, source };
  }

  get size(): number {
    return this.#cache.size;
  }

  get sizeBytes(): number {
    return this.#cache.calculatedSize;
  }

  async #limited<T>(run: () => Promise<T>): Promise<T> {
    // A finished call hands its slot straight to the next waiter.
    if (this.#calls >= this.#maxCalls)
      await new Promise<void>((resolve) => this.#queued.push(resolve));
    else this.#calls++;
    try {
      return await run();
    } finally {
      const next = this.#queued.shift();
      if (next) next();
      else this.#calls--;
    }
  }

  /** The image of grid point `point` (its window fetched as needed); undefined: KVS gave none. */
  async image(
    window: Omit<ImageWindow, "index">,
    point: number,
    spend: () => void,
  ): Promise<{ image: UpstreamImage | undefined; source: WindowSource }> {
    const { images, source } = await this.get(windowOf(window.grid, point), spend);
    return {
      image: imageAt(images, pointTimestampMs(window.grid, point), window.grid.intervalMs),
      source,
    };
  }

  /** Forgets every cached window (calls running go on). */
  clear(): void {
    this.#cache.clear();
  }

  /** Abandons running calls (shutdown). */
  close(): void {
    this.#closing.abort(new Error("the gateway is shutting down"));
    this.#cache.clear();
  }
}

/** The image KVS answered for the point at `atMs`: its TimeStamp, or the nearest within half an interval. */
export function imageAt(
  images: readonly UpstreamImage[],
  atMs: number,
  intervalMs: number,
): UpstreamImage | undefined {
  let best: UpstreamImage | undefined;
  for (const image of images) {
    const distance = Math.abs(image.timestampMs - atMs);
    if (distance * 2 < intervalMs && (!best || distance < Math.abs(best.timestampMs - atMs)))
      best = image;
  }
  return best;
}
