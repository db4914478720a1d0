// ListFragments results for settled windows, shared by every field that lists fragments
// (`fragments`, `recordings`, `coverage`, clip parts). Time is cut into aligned windows (one hour
// by default) per stream ARN and timestamp type; a window that is settled (core/settled.ts) holds
// the same fragments on every call, so it is listed once, completely, and kept, bounded in entries
// and in bytes. Whatever is not settled yet (the live edge) is listed from KVS every time.

import { CoalescedCache } from "../core/coalesced-cache.ts";
import {
  allFragments,
  comparePositions,
  type Fragment,
  type ListFragmentsCall,
  positionOf,
  type TimestampType,
  timestampOf,
} from "../core/fragments.ts";
import type { KvsObserver } from "../core/observer.ts";
import { DEFAULT_SETTLE_POLICY, type SettlePolicy, settledUntil } from "../core/settled.ts";

export interface FragmentWindowsOptions {
  /** Width of a cached window; windows are aligned to multiples of it since the epoch. */
  windowMs: number;
  /** Bound on cached windows; 0 turns the cache off. */
  maxWindows: number;
  /** Bound on the cached windows' size (estimated at FRAGMENT_BYTES per fragment). */
  maxBytes: number;
}

export const DEFAULT_FRAGMENT_WINDOWS: FragmentWindowsOptions = {
  windowMs: 60 * 60_000,
  maxWindows: 10_000,
  maxBytes: 64 * 1024 * 1024,
};

/** What one cached fragment costs: the object, its strings and two Dates. */
const FRAGMENT_BYTES = 240;

/** A stretch of the range with every fragment of it, in order (timestamp, then number). */
export interface FragmentChunk {
  readonly fromMs: number;
  readonly toMs: number;
  readonly fragments: readonly Fragment[];
}

export interface StreamListing {
  readonly streamArn: string;
  readonly timestampType: TimestampType;
  /** The stream's ListFragments through its data endpoint (budget and pacing applied by the caller). */
  readonly upstream: ListFragmentsCall;
}

export class FragmentWindows {
  readonly #options: FragmentWindowsOptions;
  readonly #settle: SettlePolicy;
  readonly #observer: KvsObserver;
  readonly #now: () => number;
  readonly #windows: CoalescedCache<Fragment[]>;

  constructor(
    observer: KvsObserver,
    options: FragmentWindowsOptions = DEFAULT_FRAGMENT_WINDOWS,
    settle: SettlePolicy = DEFAULT_SETTLE_POLICY,
    now: () => number = Date.now,
  ) {
    this.#options = options;
    this.#settle = settle;
    this.#observer = observer;
    this.#now = now;
    this.#windows = new CoalescedCache<Fragment[]>({
      ttlMs: options.maxWindows > 0 ? Number.MAX_SAFE_INTEGER : 0,
      max: Math.max(1, options.maxWindows),
      maxSize: options.maxBytes,
      sizeOf: (fragments) => Math.max(1, fragments.length * FRAGMENT_BYTES),
    });
  }

  /**
   * Every fragment of [startMs, endMs] (inclusive, by the selected timestamp), chunk by chunk in
   * order: whole settled windows (cached), then the unsettled rest in one listing.
   */
  async *chunks(
    listing: StreamListing,
    startMs: number,
    endMs: number,
  ): AsyncGenerator<FragmentChunk> {
    const { windowMs } = this.#options;
    const settledEnd = settledUntil(listing.timestampType, this.#now(), this.#settle);
    let from = startMs;
    while (from <= endMs) {
      const windowStart = Math.floor(from / windowMs) * windowMs;
      const windowEnd = windowStart + windowMs - 1;
      if (this.#options.maxWindows === 0 || windowEnd > settledEnd) break;
      const to = Math.min(windowEnd, endMs);
      const fragments = await this.#window(listing, windowStart, windowEnd);
      yield {
        fromMs: from,
        toMs: to,
        fragments: within(fragments, listing.timestampType, from, to),
      };
      from = windowEnd + 1;
    }
    if (from > endMs) return;
    const rest = await allFragments(listing.upstream, { startMs: from, endMs });
    yield { fromMs: from, toMs: endMs, fragments: sortFragments(rest, listing.timestampType) };
  }

  /**
   * A ListFragmentsCall over the cache for code written against ListFragments' pages
   * (orderedFragmentsPage, allFragments): a page is a run of whole chunks of at least
   * `pageSize` fragments, continued by a token of this call's own; KVS's own tokens (from the
   * unsettled rest) pass through.
   */
  listCall(listing: StreamListing, pageSize = 1000): ListFragmentsCall {
    const continuations = new Map<string, AsyncGenerator<FragmentChunk>>();
    let minted = 0;
    const page = async (chunks: AsyncGenerator<FragmentChunk>) => {
      const fragments: Fragment[] = [];
      while (fragments.length < pageSize) {
        const next = await chunks.next();
        if (next.done) return { fragments, nextToken: undefined };
        fragments.push(...next.value.fragments);
      }
      const token = `gateway-window-${++minted}`;
      continuations.set(token, chunks);
      return { fragments, nextToken: token };
    };
    return async (start, end, nextToken) => {
      if (nextToken === undefined)
        return page(this.chunks(listing, start.getTime(), end.getTime()));
      const chunks = continuations.get(nextToken);
      if (chunks === undefined) return listing.upstream(start, end, nextToken);
      continuations.delete(nextToken);
      return page(chunks);
    };
  }

  /** Forgets every window of a stream (it was deleted, or answered ResourceNotFound). */
  forget(streamArn: string): void {
    this.#windows.evictWhere((key) => key.startsWith(`${streamArn} `));
  }

  get size(): number {
    return this.#windows.size;
  }

  get sizeBytes(): number {
    return this.#windows.calculatedSize;
  }

  #window(listing: StreamListing, startMs: number, endMs: number): Promise<Fragment[]> {
    return this.#windows.get(
      `${listing.streamArn} ${listing.timestampType} ${startMs}`,
      async () =>
        sortFragments(
          await allFragments(listing.upstream, { startMs, endMs }),
          listing.timestampType,
        ),
      (outcome) => this.#observer.cacheLookup("fragments", outcome),
    );
  }
}

function sortFragments(fragments: Fragment[], type: TimestampType): Fragment[] {
  // ListFragments answers in no order and may repeat a fragment across pages.
  const unique = new Map(fragments.map((fragment) => [fragment.number, fragment]));
  return [...unique.values()].sort((a, b) =>
    comparePositions(positionOf(a, type), positionOf(b, type)),
  );
}

function within(
  fragments: readonly Fragment[],
  type: TimestampType,
  fromMs: number,
  toMs: number,
): readonly Fragment[] {
  if (fragments.length === 0) return fragments;
  const first = timestampOf(fragments[0] as Fragment, type);
  const last = timestampOf(fragments.at(-1) as Fragment, type);
  if (first >= fromMs && last <= toMs) return fragments;
  return fragments.filter((fragment) => {
    const at = timestampOf(fragment, type);
    return at >= fromMs && at <= toMs;
  });
}
