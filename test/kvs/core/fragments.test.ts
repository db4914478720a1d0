// orderedFragmentsPage against a ListFragments that, like KVS, answers in no order even across
// pages: concatenated pages must be the range's fragments exactly once, in the documented order.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  comparePositions,
  type Fragment,
  type FragmentPosition,
  type ListFragmentsCall,
  orderedFragmentsPage,
  positionOf,
  type TimestampType,
} from "../../../src/kvs/core/fragments.ts";

/** A ListFragments over `all` that filters [start, end] inclusively and pages in shuffled order. */
function unorderedListFragments(
  all: Fragment[],
  type: TimestampType,
  seed: number,
  pageSize: number,
): { list: ListFragmentsCall; calls: () => number } {
  let calls = 0;
  const list: ListFragmentsCall = async (start, end, nextToken) => {
    calls++;
    // The same query shuffles the same way (so its NextTokens are consistent), other queries not.
    let state = Math.abs((seed * 31 + start.getTime()) * 31 + end.getTime()) % 2147483648;
    const random = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const inRange = all.filter((fragment) => {
      const t = (
        type === "SERVER_TIMESTAMP" ? fragment.serverTimestamp : fragment.producerTimestamp
      ).getTime();
      return t >= start.getTime() && t <= end.getTime();
    });
    const shuffled = inRange
      .map((fragment) => ({ fragment, key: random() }))
      .sort((a, b) => a.key - b.key)
      .map(({ fragment }) => fragment);
    const offset = nextToken ? Number(nextToken) : 0;
    const page = shuffled.slice(offset, offset + pageSize);
    const next = offset + pageSize < shuffled.length ? String(offset + pageSize) : undefined;
    return { fragments: page, nextToken: next };
  };
  return { list, calls: () => calls };
}

function fragment(number: number, serverMs: number, producerMs: number): Fragment {
  return {
    number: String(91343852333181432392682062600000000000000000000n + BigInt(number)),
    serverTimestamp: new Date(serverMs),
    producerTimestamp: new Date(producerMs),
    sizeBytes: 1000 + number,
    durationMs: 1000,
  };
}

async function readAll(
  list: ListFragmentsCall,
  type: TimestampType,
  start: number,
  end: number,
  limit: number,
): Promise<Fragment[]> {
  const seen: Fragment[] = [];
  let after: FragmentPosition | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await orderedFragmentsPage(list, {
      start: new Date(start),
      end: new Date(end),
      timestampType: type,
      after,
      limit,
    });
    seen.push(...page.fragments);
    const last = page.fragments.at(-1);
    if (!page.hasNextPage || !last) return seen;
    after = positionOf(last, type);
  }
  throw new Error("paging did not end");
}

function expectedOrder(all: Fragment[], type: TimestampType, start: number, end: number): string[] {
  return all
    .filter((f) => {
      const t = positionOf(f, type).timestampMs;
      return t >= start && t <= end;
    })
    .sort((a, b) => comparePositions(positionOf(a, type), positionOf(b, type)))
    .map((f) => f.number);
}

describe("orderedFragmentsPage", () => {
  it("pages a range answered in no order into one ordered sequence without gaps or repeats", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: -50, max: 50 })), {
          maxLength: 300,
        }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        fc.constantFrom<TimestampType>("SERVER_TIMESTAMP", "PRODUCER_TIMESTAMP"),
        fc.integer({ min: 2, max: 50 }),
        fc.tuple(fc.integer({ min: -100, max: 20_100 }), fc.integer({ min: -100, max: 20_100 })),
        async (stamps, limit, seed, type, pageSize, [a, b]) => {
          // Duplicate timestamps on purpose (integer ms in a small span): ties go by number.
          const all = stamps.map(([server, skew], index) => fragment(index, server, server + skew));
          const [start, end] = a <= b ? [a, b] : [b, a];
          const { list } = unorderedListFragments(all, type, seed, pageSize);
          const pages = await readAll(list, type, start, end, limit);
          expect(pages.map((f) => f.number)).toEqual(expectedOrder(all, type, start, end));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("answers a range of at most one ListFragments page with one call", async () => {
    const all = Array.from({ length: 500 }, (_, i) =>
      fragment(i, 1_000_000 + ((i * 7919) % 500) * 10, 0),
    );
    const { list, calls } = unorderedListFragments(all, "SERVER_TIMESTAMP", 42, 1000);
    const page = await orderedFragmentsPage(list, {
      start: new Date(0),
      end: new Date(2_000_000),
      timestampType: "SERVER_TIMESTAMP",
      limit: 100,
    });
    expect(calls()).toBe(1);
    expect(page.hasNextPage).toBe(true);
    expect(page.fragments.map((f) => f.number)).toEqual(
      expectedOrder(all, "SERVER_TIMESTAMP", 0, 2_000_000).slice(0, 100),
    );
  });

  it("reads a dense long range page by page in a bounded number of calls per page", async () => {
    // 20 000 fragments, one every 100 ms: far more than one ListFragments page.
    const all = Array.from({ length: 20_000 }, (_, i) => fragment(i, 5_000_000 + i * 100, 0));
    const { list, calls } = unorderedListFragments(all, "SERVER_TIMESTAMP", 7, 1000);
    let after: FragmentPosition | undefined;
    const numbers: string[] = [];
    for (let page = 0; page < 5; page++) {
      const before = calls();
      const result = await orderedFragmentsPage(list, {
        start: new Date(5_000_000),
        end: new Date(5_000_000 + 20_000 * 100),
        timestampType: "SERVER_TIMESTAMP",
        after,
        limit: 50,
      });
      expect(calls() - before).toBeLessThanOrEqual(4);
      numbers.push(...result.fragments.map((f) => f.number));
      after = positionOf(result.fragments.at(-1) as Fragment, "SERVER_TIMESTAMP");
    }
    expect(numbers).toEqual(all.slice(0, 250).map((f) => f.number));
  });
});
