import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clipPartsInWindows } from "../../../src/kvs/clips/part-windows.ts";
import { type ClipPartPlan, planClipParts } from "../../../src/kvs/clips/parts.ts";
import type { Fragment, ListFragmentsCall } from "../../../src/kvs/core/fragments.ts";

const T0 = Date.parse("2025-01-01T00:00:00.000Z");

interface Stored {
  number: number;
  producerMs: number;
  sizeBytes: number;
}

/**
 * ListFragments over `stored` as KVS answers it: the fragments whose producer timestamp lies in
 * the asked range, in no particular order (reversed here), `pageSize` per page with NextToken.
 */
function listFragmentsOver(stored: readonly Stored[], pageSize: number) {
  const calls: Array<{ startMs: number; endMs: number }> = [];
  const pending = new Map<string, Stored[]>();
  const page = (rest: Stored[]) => {
    const token = rest.length > pageSize ? `t${pending.size + 1}-${calls.length}` : undefined;
    if (token !== undefined) pending.set(token, rest.slice(pageSize));
    return { fragments: rest.slice(0, pageSize).map(toFragment), nextToken: token };
  };
  const list: ListFragmentsCall = async (start, end, nextToken) => {
    if (nextToken !== undefined) return page(pending.get(nextToken) ?? []);
    const startMs = start.getTime();
    const endMs = end.getTime();
    calls.push({ startMs, endMs });
    return page(stored.filter((f) => f.producerMs >= startMs && f.producerMs <= endMs).reverse());
  };
  return { list, calls };
}

function toFragment(f: Stored): Fragment {
  return {
    number: String(f.number),
    producerTimestamp: new Date(f.producerMs),
    serverTimestamp: new Date(f.producerMs + 100),
    sizeBytes: f.sizeBytes,
    durationMs: 1000,
  };
}

async function collect(parts: AsyncGenerator<ClipPartPlan>): Promise<ClipPartPlan[]> {
  const all: ClipPartPlan[] = [];
  for await (const part of parts) all.push(part);
  return all;
}

describe("clipPartsInWindows", () => {
  it("plans the same parts as reading the whole range first", async () => {
    const limits = { maxFragments: 5, maxBytes: 4000 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            offset: fc.integer({ min: 0, max: 5000 }),
            size: fc.integer({ min: 1, max: 1500 }),
          }),
          { maxLength: 80 },
        ),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 1500 }),
        async (specs, startOffset, length, windowMs) => {
          const stored = specs.map((s, i) => ({
            number: i + 1,
            producerMs: T0 + s.offset,
            sizeBytes: s.size,
          }));
          const range = { startMs: T0 + startOffset, endMs: T0 + startOffset + length };
          const { list } = listFragmentsOver(stored, 4);
          const windowed = await collect(
            clipPartsInWindows(list, "PRODUCER_TIMESTAMP", range, { limits, windowMs }),
          );
          const whole = planClipParts(range, stored.map(toFragment), "PRODUCER_TIMESTAMP", limits);
          expect(windowed).toEqual(whole);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("hands out the first part before reading the rest of the range", async () => {
    // An hour of one-second fragments, read in 10-minute windows: the first 200-fragment part is
    // settled once the second window is read.
    const stored = Array.from({ length: 3600 }, (_, i) => ({
      number: i + 1,
      producerMs: T0 + i * 1000,
      sizeBytes: 1000,
    }));
    const { list, calls } = listFragmentsOver(stored, 1000);
    const parts = clipPartsInWindows(list, "PRODUCER_TIMESTAMP", {
      startMs: T0,
      endMs: T0 + 3_600_000 - 1,
    });
    const first = await parts.next();
    expect(first.value).toMatchObject({ startMs: T0, endMs: T0 + 199_999, fragmentCount: 200 });
    expect(calls).toEqual([{ startMs: T0, endMs: T0 + 600_000 - 1 }]);
    const rest = await collect(parts);
    expect(rest.map((part) => part.fragmentCount)).toEqual([
      200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
    ]);
    expect(calls).toHaveLength(6);
  });

  it("waits for each ListFragments call's turn", async () => {
    const stored = Array.from({ length: 40 }, (_, i) => ({
      number: i + 1,
      producerMs: T0 + i * 1000,
      sizeBytes: 1000,
    }));
    const { list, calls } = listFragmentsOver(stored, 1000);
    let turns = 0;
    const pace = async () => {
      turns++;
    };
    await collect(
      clipPartsInWindows(
        list,
        "PRODUCER_TIMESTAMP",
        { startMs: T0, endMs: T0 + 39_999 },
        { windowMs: 10_000, pace },
      ),
    );
    expect(calls).toHaveLength(4);
    expect(turns).toBe(4);
  });
});
