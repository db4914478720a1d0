// The one ListFragments path: the SDK call through the stream's data endpoint, an ordered page of
// it (Stream.fragments), and every fragment of a range (clip parts).
//
// ListFragments returns a range's fragments in no particular order, even across pages, so a page
// of "the next N fragments" can only be answered from a time window whose fragments are all
// known. `orderedFragmentsPage` scans windows [from, from + w] completely, growing w until the
// window holds more than N fragments past the cursor (or the range ends) and shrinking it when
// a window is too dense to scan within budget. The first call covers the whole remaining range:
// a range of at most one ListFragments page costs one call.

import {
  ListFragmentsCommand,
  type Fragment as SdkFragment,
} from "@aws-sdk/client-kinesis-video-archived-media";
import { compareFragmentNumbers } from "../../mkv/kvs-tags/fragment-numbers.ts";
import type { KvsClients } from "./clients.ts";
import type { EndpointLoader } from "./endpoints.ts";
import { InvalidArgumentError, UpstreamUnavailableError } from "./errors.ts";
import { type StreamRef, streamRefInput } from "./validation.ts";

/** Which of a fragment's timestamps a selector (ListFragments, GetClip, GetMedia) works on. */
export type TimestampType = "SERVER_TIMESTAMP" | "PRODUCER_TIMESTAMP";

export const TIMESTAMP_TYPES: readonly TimestampType[] = ["SERVER_TIMESTAMP", "PRODUCER_TIMESTAMP"];

export function isTimestampType(value: string): value is TimestampType {
  return (TIMESTAMP_TYPES as readonly string[]).includes(value);
}

export interface Fragment {
  readonly number: string;
  readonly sizeBytes: number;
  readonly producerTimestamp: Date;
  readonly serverTimestamp: Date;
  readonly durationMs: number;
}

/** A place in the order (selected timestamp, then fragment number): what a cursor encodes. */
export interface FragmentPosition {
  readonly timestampMs: number;
  readonly number: string;
}

export interface FragmentsPageRequest {
  readonly start: Date;
  readonly end: Date;
  readonly timestampType: TimestampType;
  /** Only fragments strictly after this position. */
  readonly after?: FragmentPosition | undefined;
  /** Page size. */
  readonly limit: number;
}

export interface FragmentsPage {
  readonly fragments: Fragment[];
  readonly hasNextPage: boolean;
}

/** One ListFragments call over [start, end] (or the page after `nextToken`). */
export type ListFragmentsCall = (
  start: Date,
  end: Date,
  nextToken: string | undefined,
) => Promise<{ fragments: Fragment[]; nextToken: string | undefined }>;

/** Epoch-millisecond bounds, both inclusive as ListFragments and GetClip take them. */
export interface RangeMs {
  startMs: number;
  endMs: number;
}

/** ListFragments results per call (the model's maximum). */
const LIST_PAGE_SIZE = 1000;
/** A window whose scan needs more calls than this is shrunk and rescanned. */
const WINDOW_CALL_BUDGET = 5;
/** Upper bound on ListFragments calls for one page (KVS allows 5 TPS per stream). */
const PAGE_CALL_LIMIT = 40;

export function timestampOf(fragment: Fragment, type: TimestampType): number {
  return (
    type === "SERVER_TIMESTAMP" ? fragment.serverTimestamp : fragment.producerTimestamp
  ).getTime();
}

export function comparePositions(a: FragmentPosition, b: FragmentPosition): number {
  return a.timestampMs - b.timestampMs || compareFragmentNumbers(a.number, b.number);
}

export function positionOf(fragment: Fragment, type: TimestampType): FragmentPosition {
  return { timestampMs: timestampOf(fragment, type), number: fragment.number };
}

class WindowOverBudget extends Error {}

/**
 * The `limit` fragments after `after` within [start, end], ordered by the selected timestamp
 * and then by fragment number, and whether more follow.
 */
export async function orderedFragmentsPage(
  list: ListFragmentsCall,
  request: FragmentsPageRequest,
): Promise<FragmentsPage> {
  const { timestampType: type, limit } = request;
  const endMs = request.end.getTime();
  let fromMs = Math.max(
    request.start.getTime(),
    request.after?.timestampMs ?? Number.NEGATIVE_INFINITY,
  );
  if (fromMs > endMs) return { fragments: [], hasNextPage: false };

  let calls = 0;
  const collected = new Map<string, Fragment>();
  const isAfterCursor = (fragment: Fragment) =>
    !request.after || comparePositions(positionOf(fragment, type), request.after) > 0;

  /** All fragments in [from, to], or WindowOverBudget when more than `budget` calls are needed. */
  const scan = async (from: number, to: number, budget: number): Promise<Fragment[]> => {
    const found: Fragment[] = [];
    let token: string | undefined;
    let used = 0;
    do {
      if (used === budget) throw new WindowOverBudget();
      if (calls === PAGE_CALL_LIMIT) {
        throw new UpstreamUnavailableError(
          `Listing this page of fragments needed more than ${PAGE_CALL_LIMIT} ListFragments calls; use a narrower range`,
          { code: "FragmentScanLimit" },
        );
      }
      calls++;
      used++;
      const result = await list(new Date(from), new Date(to), token);
      found.push(...result.fragments);
      token = result.nextToken;
    } while (token);
    return found;
  };

  // First try the whole remaining range in one call; if it doesn't fit, its answer (a sample of
  // LIST_PAGE_SIZE fragments of the range) estimates the density for the first window.
  let width: number;
  try {
    for (const fragment of await scan(fromMs, endMs, 1)) {
      if (isAfterCursor(fragment)) collected.set(fragment.number, fragment);
    }
    return pageOf(collected, type, limit);
  } catch (error) {
    if (!(error instanceof WindowOverBudget)) throw error;
    const span = Math.max(1, endMs - fromMs);
    width = Math.max(1, Math.ceil(((span * (limit + 1)) / LIST_PAGE_SIZE) * 2));
  }

  for (;;) {
    const windowEnd = Math.min(endMs, fromMs + width);
    let fragments: Fragment[];
    try {
      fragments = await scan(fromMs, windowEnd, WINDOW_CALL_BUDGET);
    } catch (error) {
      if (!(error instanceof WindowOverBudget) || width <= 1) throw error;
      width = Math.max(1, Math.floor(width / 8));
      continue;
    }
    for (const fragment of fragments) {
      if (isAfterCursor(fragment)) collected.set(fragment.number, fragment);
    }
    if (windowEnd >= endMs) return pageOf(collected, type, limit);
    // Fragments stamped exactly at the window's end might belong to the next window (if KVS
    // treated the end as exclusive), so only earlier ones are known to be complete.
    let complete = 0;
    for (const fragment of collected.values())
      if (timestampOf(fragment, type) < windowEnd) complete++;
    if (complete > limit) return pageOf(collected, type, limit);
    fromMs = windowEnd;
    width *= 4;
  }
}

/** The first `limit` of `collected` in order; callers make sure those are complete. */
function pageOf(
  collected: Map<string, Fragment>,
  type: TimestampType,
  limit: number,
): FragmentsPage {
  const sorted = [...collected.values()].sort((a, b) =>
    comparePositions(positionOf(a, type), positionOf(b, type)),
  );
  return { fragments: sorted.slice(0, limit), hasNextPage: sorted.length > limit };
}

function toFragment(fragment: SdkFragment): Fragment | undefined {
  const { FragmentNumber, ProducerTimestamp, ServerTimestamp } = fragment;
  if (!FragmentNumber || !ProducerTimestamp || !ServerTimestamp) return undefined;
  return {
    number: FragmentNumber,
    sizeBytes: fragment.FragmentSizeInBytes ?? 0,
    producerTimestamp: ProducerTimestamp,
    serverTimestamp: ServerTimestamp,
    durationMs: fragment.FragmentLengthInMilliseconds ?? 0,
  };
}

/** A ListFragmentsCall for a stream, through its LIST_FRAGMENTS data endpoint. */
export function listFragmentsVia(
  clients: KvsClients,
  endpoints: EndpointLoader,
  stream: StreamRef,
  timestampType: TimestampType,
  signal?: AbortSignal,
): ListFragmentsCall {
  return (start, end, nextToken) =>
    endpoints.withEndpoint(stream, "LIST_FRAGMENTS", async (endpoint) => {
      const output = await clients.archivedMedia(endpoint).send(
        new ListFragmentsCommand({
          ...streamRefInput(stream),
          MaxResults: LIST_PAGE_SIZE,
          // The model takes NextToken or FragmentSelector; KVS resumes the listing from the token.
          ...(nextToken === undefined
            ? {
                FragmentSelector: {
                  FragmentSelectorType: timestampType,
                  TimestampRange: { StartTimestamp: start, EndTimestamp: end },
                },
              }
            : { NextToken: nextToken }),
        }),
        signal === undefined ? {} : { abortSignal: signal },
      );
      const fragments: Fragment[] = [];
      for (const raw of output.Fragments ?? []) {
        const fragment = toFragment(raw);
        if (fragment) fragments.push(fragment);
      }
      return { fragments, nextToken: output.NextToken || undefined };
    });
}

export interface AllFragmentsOptions {
  /** Refuse ranges holding more fragments than this (default 100 000, about 28 h of 1 s fragments). */
  maxFragments?: number;
  /** Waits for each page's turn (KVS allows 5 ListFragments per second per stream). */
  pace?: (signal: AbortSignal | undefined) => Promise<void>;
  signal?: AbortSignal;
}

/** Every fragment ListFragments reports for the range, all pages, in KVS's (unspecified) order. */
export async function allFragments(
  list: ListFragmentsCall,
  range: RangeMs,
  options: AllFragmentsOptions = {},
): Promise<Fragment[]> {
  const maxFragments = options.maxFragments ?? 100_000;
  const fragments: Fragment[] = [];
  const start = new Date(range.startMs);
  const end = new Date(range.endMs);
  let nextToken: string | undefined;
  do {
    await options.pace?.(options.signal);
    options.signal?.throwIfAborted();
    const page = await list(start, end, nextToken);
    fragments.push(...page.fragments);
    if (fragments.length > maxFragments) {
      throw new InvalidArgumentError(
        `the range holds more than ${maxFragments} fragments; ask for a shorter range`,
        { argument: "range" },
      );
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return fragments;
}
