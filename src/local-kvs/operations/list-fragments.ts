import { invalidArgument } from "../errors.ts";
import type { OperationHandler } from "../server/context.ts";
import type { FragmentQuery, FragmentRecord, TimestampKind } from "../store/types.ts";
import { FRAGMENT_SELECTOR_TYPES, LIST_FRAGMENTS_NEXT_TOKEN, msToSeconds } from "../validation.ts";
import { streamFromInput } from "./resolve-stream.ts";

const DEFAULT_MAX_RESULTS = 100;

/** Where a page ends: the query and the sort key of the last fragment returned. */
interface PageToken {
  query: FragmentQuery | null;
  lastTimestampMs: number;
  lastFragmentNumber: string;
}

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token), "utf8").toString("base64");
}

function decodeToken(text: string): PageToken {
  try {
    const token = JSON.parse(Buffer.from(text, "base64").toString("utf8")) as PageToken;
    if (typeof token.lastFragmentNumber === "string" && typeof token.lastTimestampMs === "number") {
      return token;
    }
  } catch {
    // fall through
  }
  throw invalidArgument("NextToken is invalid.");
}

function sortKey(fragment: FragmentRecord, by: TimestampKind | undefined): number {
  if (by === "producer") return fragment.producerTimestampMs;
  if (by === "server") return fragment.serverTimestampMs;
  return 0;
}

/** Fragment numbers have equal length, so string order is numeric order. */
function isAfter(fragment: FragmentRecord, token: PageToken): boolean {
  const key = sortKey(fragment, token.query?.by);
  if (key !== token.lastTimestampMs) return key > token.lastTimestampMs;
  return fragment.fragmentNumber > token.lastFragmentNumber;
}

export const listFragments: OperationHandler = {
  operation: "ListFragments",
  async handle({ input, store, replyJson }) {
    const maxResults = input.integer("MaxResults", { min: 1, max: 1000 }) ?? DEFAULT_MAX_RESULTS;
    const nextToken = input.string("NextToken", LIST_FRAGMENTS_NEXT_TOKEN);
    const selector = input.object("FragmentSelector");
    const selectorType = selector?.enumeration("FragmentSelectorType", FRAGMENT_SELECTOR_TYPES, {
      required: true,
    });
    const range = selector?.object("TimestampRange", { required: true });
    const startMs = range?.timestampMs("StartTimestamp", { required: true });
    const endMs = range?.timestampMs("EndTimestamp", { required: true });
    const stream = streamFromInput(store, input);
    if (startMs !== undefined && endMs !== undefined && startMs > endMs) {
      throw invalidArgument("StartTimestamp must be before or equal to EndTimestamp.");
    }

    const token = nextToken !== undefined ? decodeToken(nextToken) : undefined;
    const query: FragmentQuery | null = token
      ? token.query
      : selectorType && startMs !== undefined && endMs !== undefined
        ? {
            by: selectorType === "PRODUCER_TIMESTAMP" ? "producer" : "server",
            fromMs: startMs,
            toMs: endMs,
          }
        : null;
    const all = store.listFragments(stream.streamArn, query ?? undefined);
    const remaining = token ? all.filter((f) => isAfter(f, token)) : all;
    const page = remaining.slice(0, maxResults);
    const last = page.at(-1);
    replyJson({
      Fragments: page.map((f) => ({
        FragmentNumber: f.fragmentNumber,
        FragmentSizeInBytes: f.sizeBytes,
        ProducerTimestamp: msToSeconds(f.producerTimestampMs),
        ServerTimestamp: msToSeconds(f.serverTimestampMs),
        FragmentLengthInMilliseconds: f.durationMs,
      })),
      NextToken:
        remaining.length > page.length && last
          ? encodeToken({
              query,
              lastTimestampMs: sortKey(last, query?.by),
              lastFragmentNumber: last.fragmentNumber,
            })
          : undefined,
    });
  },
};
