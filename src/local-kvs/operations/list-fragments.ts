import { createHash, randomBytes } from "node:crypto";
import { compareFragmentNumbers } from "../../mkv/kvs-tags/fragment-numbers.ts";
import { invalidArgument } from "../errors.ts";
import type { OperationHandler } from "../server/context.ts";
import type { FragmentQuery, FragmentRecord, TimestampKind } from "../store/types.ts";
import { FRAGMENT_SELECTOR_TYPES, LIST_FRAGMENTS_NEXT_TOKEN, msToSeconds } from "../validation.ts";
import { streamFromInput } from "./resolve-stream.ts";

const DEFAULT_MAX_RESULTS = 100;

/** Where a page ends: the query, the order, and the sort key of the last fragment returned. */
interface PageToken {
  query: FragmentQuery | null;
  /** Set when the listing is shuffled: the key of its random order, kept across pages. */
  seed?: string;
  /** The last fragment's timestamp (sorted) or rank in the random order (shuffled). */
  lastKey: number;
  lastFragmentNumber: string;
}

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token), "utf8").toString("base64");
}

function decodeToken(text: string): PageToken {
  try {
    const token = JSON.parse(Buffer.from(text, "base64").toString("utf8")) as PageToken;
    if (
      typeof token.lastFragmentNumber === "string" &&
      typeof token.lastKey === "number" &&
      (token.seed === undefined || typeof token.seed === "string")
    ) {
      return token;
    }
  } catch {
    // fall through
  }
  throw invalidArgument("NextToken is invalid.");
}

function timestampKey(fragment: FragmentRecord, by: TimestampKind | undefined): number {
  if (by === "producer") return fragment.producerTimestampMs;
  if (by === "server") return fragment.serverTimestampMs;
  return 0;
}

/** A fragment's place in the random order `seed` names (48 bits: exact as a number). */
function shuffledKey(seed: string, fragment: FragmentRecord): number {
  return createHash("sha256")
    .update(seed)
    .update(fragment.fragmentNumber)
    .digest()
    .readUIntBE(0, 6);
}

/** Order by key, then fragment number (numerically). */
const compare = (aKey: number, aNumber: string, bKey: number, bNumber: string): number =>
  aKey - bKey || compareFragmentNumbers(aNumber, bNumber);

export const listFragments: OperationHandler = {
  operation: "ListFragments",
  async handle({ input, store, config, replyJson }) {
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
    // A token keeps the order its first page had; KVS documents no order, even across pages.
    const seed = token
      ? token.seed
      : config.listFragmentsOrder === "shuffled"
        ? randomBytes(8).toString("hex")
        : undefined;
    const keyed = store.listFragments(stream.streamArn, query ?? undefined).map((fragment) => ({
      fragment,
      key: seed === undefined ? timestampKey(fragment, query?.by) : shuffledKey(seed, fragment),
    }));
    // The store answers in timestamp (then fragment number) order already.
    if (seed !== undefined) {
      keyed.sort((a, b) =>
        compare(a.key, a.fragment.fragmentNumber, b.key, b.fragment.fragmentNumber),
      );
    }
    const remaining = token
      ? keyed.filter(
          ({ key, fragment }) =>
            compare(key, fragment.fragmentNumber, token.lastKey, token.lastFragmentNumber) > 0,
        )
      : keyed;
    const page = remaining.slice(0, maxResults);
    const end = page.at(-1);
    replyJson({
      Fragments: page.map(({ fragment: f }) => ({
        FragmentNumber: f.fragmentNumber,
        FragmentSizeInBytes: f.sizeBytes,
        ProducerTimestamp: msToSeconds(f.producerTimestampMs),
        ServerTimestamp: msToSeconds(f.serverTimestampMs),
        FragmentLengthInMilliseconds: f.durationMs,
      })),
      NextToken:
        remaining.length > page.length && end
          ? encodeToken({
              query,
              ...(seed !== undefined ? { seed } : {}),
              lastKey: end.key,
              lastFragmentNumber: end.fragment.fragmentNumber,
            })
          : undefined,
    });
  },
};
