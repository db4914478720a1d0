import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planClipParts, snapToFragments } from "../../../src/kvs/clips/parts.ts";
import { InvalidArgumentError } from "../../../src/kvs/core/errors.ts";
import {
  allFragments,
  type Fragment,
  type ListFragmentsCall,
  timestampOf,
} from "../../../src/kvs/core/fragments.ts";
import { Pacer } from "../../../src/kvs/core/pacer.ts";

const T0 = Date.parse("2025-01-01T00:00:00.000Z");

/** A fragment whose server timestamp (the selector these tests use) is `startMs`. */
function fragment(n: number, startMs: number, sizeBytes = 1000, producerMs = startMs): Fragment {
  return {
    number: String(n),
    serverTimestamp: new Date(startMs),
    producerTimestamp: new Date(producerMs),
    sizeBytes,
    durationMs: 1000,
  };
}

const BY_SERVER = "SERVER_TIMESTAMP";

/**
 * What GetClip returns for a range, as the API reference (and the local backend) define it:
 * fragments starting within [start, end], one per producer timestamp (the oldest ingested).
 */
function selectedBy(range: { startMs: number; endMs: number }, fragments: readonly Fragment[]) {
  const kept = new Map<number, Fragment>();
  for (const f of fragments) {
    const startMs = timestampOf(f, BY_SERVER);
    if (startMs < range.startMs || startMs > range.endMs) continue;
    const producerMs = f.producerTimestamp.getTime();
    const other = kept.get(producerMs);
    if (!other || Number(f.number) < Number(other.number)) kept.set(producerMs, f);
  }
  return [...kept.values()];
}

describe("planClipParts", () => {
  it("gives one part spanning the whole range when it fits one GetClip", () => {
    const fragments = [fragment(1, T0 + 500), fragment(2, T0 + 1500)];
    expect(planClipParts({ startMs: T0, endMs: T0 + 10_000 }, fragments, BY_SERVER)).toEqual([
      {
        startMs: T0,
        endMs: T0 + 10_000,
        firstProducerMs: T0 + 500,
        fragmentCount: 2,
        sizeBytes: 2000,
      },
    ]);
  });

  it("gives no part when no fragment starts in the range", () => {
    const fragments = [fragment(1, T0 - 500), fragment(2, T0 + 20_000)];
    expect(planClipParts({ startMs: T0, endMs: T0 + 10_000 }, fragments, BY_SERVER)).toEqual([]);
  });

  it("cuts 3 minutes of 1 s fragments into parts of at most 200 fragments", () => {
    // 450 fragments, listed out of order as KVS may.
    const fragments = Array.from({ length: 450 }, (_, i) => fragment(i, T0 + i * 1000)).reverse();
    const parts = planClipParts({ startMs: T0, endMs: T0 + 450_000 }, fragments, BY_SERVER);
    expect(parts.map((p) => p.fragmentCount)).toEqual([200, 200, 50]);
    expect(parts.map((p) => [p.startMs - T0, p.endMs - T0])).toEqual([
      [0, 199_999],
      [200_000, 399_999],
      [400_000, 450_000],
    ]);
  });

  it("cuts by size as well as by count", () => {
    const fragments = Array.from({ length: 10 }, (_, i) => fragment(i, T0 + i * 1000, 400));
    const parts = planClipParts({ startMs: T0, endMs: T0 + 20_000 }, fragments, BY_SERVER, {
      maxFragments: 200,
      maxBytes: 1000,
    });
    expect(parts.map((p) => p.fragmentCount)).toEqual([2, 2, 2, 2, 2]);
    expect(parts.every((p) => p.sizeBytes <= 1000)).toBe(true);
  });

  it("gives an oversized fragment a part of its own", () => {
    const fragments = [
      fragment(1, T0, 10),
      fragment(2, T0 + 1000, 5000),
      fragment(3, T0 + 2000, 10),
    ];
    const parts = planClipParts({ startMs: T0, endMs: T0 + 3000 }, fragments, BY_SERVER, {
      maxFragments: 200,
      maxBytes: 1000,
    });
    expect(parts.map((p) => p.fragmentCount)).toEqual([1, 1, 1]);
  });

  it("counts fragments sharing a producer timestamp once, as GetClip keeps the oldest", () => {
    const fragments = [fragment(12, T0, 300), fragment(9, T0, 100), fragment(13, T0 + 1000, 100)];
    const [part] = planClipParts({ startMs: T0, endMs: T0 + 5000 }, fragments, BY_SERVER);
    expect(part).toMatchObject({ fragmentCount: 2, sizeBytes: 200 });
    // By server timestamp, a re-sent fragment arrives later but is still the same producer instant.
    const byServer = [fragment(9, T0 + 50, 100, T0), fragment(12, T0 + 4000, 300, T0)];
    expect(planClipParts({ startMs: T0, endMs: T0 + 5000 }, byServer, BY_SERVER)).toEqual([
      { startMs: T0, endMs: T0 + 5000, firstProducerMs: T0, fragmentCount: 1, sizeBytes: 100 },
    ]);
  });

  it("covers every fragment of any range exactly once with consecutive parts within the caps", () => {
    const limits = { maxFragments: 7, maxBytes: 5000 };
    fc.assert(
      fc.property(
        // Small offsets so that equal timestamps (re-sent fragments) come up often.
        fc.array(
          fc.record({
            offset: fc.integer({ min: 0, max: 3000 }),
            size: fc.integer({ min: 1, max: 2000 }),
          }),
          {
            maxLength: 120,
          },
        ),
        fc.integer({ min: 0, max: 1500 }),
        fc.integer({ min: 1, max: 3000 }),
        (specs, startOffset, length) => {
          const fragments = specs.map((s, i) => fragment(i, T0 + s.offset, s.size));
          const range = { startMs: T0 + startOffset, endMs: T0 + startOffset + length };
          const parts = planClipParts(range, fragments, BY_SERVER, limits);
          const inRange = selectedBy(range, fragments);
          if (inRange.length === 0) return parts.length === 0;
          expect(parts[0]?.startMs).toBe(range.startMs);
          expect(parts.at(-1)?.endMs).toBe(range.endMs);
          for (const [i, part] of parts.entries()) {
            expect(part.endMs).toBeGreaterThanOrEqual(part.startMs);
            const next = parts[i + 1];
            if (next) expect(next.startMs).toBe(part.endMs + 1);
            const selected = selectedBy(part, fragments);
            expect(selected.length).toBe(part.fragmentCount);
            if (selected.length > 1) {
              expect(part.fragmentCount).toBeLessThanOrEqual(limits.maxFragments);
            }
          }
          const seen = parts.flatMap((p) => selectedBy(p, fragments).map((f) => f.number));
          expect(seen.sort()).toEqual(inRange.map((f) => f.number).sort());
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("allFragments", () => {
  it("reads every page, resuming from each NextToken", async () => {
    const requests: Array<string | undefined> = [];
    const pages = [
      { fragments: [fragment(2, T0 + 1500, 10, T0 + 1000)], nextToken: "page2" },
      { fragments: [fragment(1, T0 + 500, 20, T0)], nextToken: undefined },
    ];
    const list: ListFragmentsCall = async (_start, _end, nextToken) => {
      requests.push(nextToken);
      return pages[requests.length - 1] ?? { fragments: [], nextToken: undefined };
    };
    const fragments = await allFragments(list, { startMs: T0, endMs: T0 + 5000 });
    expect(fragments.map((f) => f.number)).toEqual(["2", "1"]);
    expect(requests).toEqual([undefined, "page2"]);
  });

  it("asks for pages no faster than its pacer allows", async () => {
    const calledAt: number[] = [];
    const list: ListFragmentsCall = async () => {
      calledAt.push(performance.now());
      return { fragments: [], nextToken: calledAt.length < 4 ? `p${calledAt.length}` : undefined };
    };
    const pacer = new Pacer({ calls: 1, windowMs: 30 });
    await allFragments(
      list,
      { startMs: T0, endMs: T0 + 10 },
      {
        pace: (signal) => pacer.acquire("arn:s", signal),
      },
    );
    expect(calledAt).toHaveLength(4);
    for (let i = 1; i < calledAt.length; i++) {
      expect((calledAt[i] ?? 0) - (calledAt[i - 1] ?? 0)).toBeGreaterThanOrEqual(29);
    }
  });

  it("refuses a range holding more fragments than the bound", async () => {
    const list: ListFragmentsCall = async () => ({
      fragments: Array.from({ length: 5 }, (_, i) => fragment(i, T0 + i)),
      nextToken: "more",
    });
    await expect(
      allFragments(list, { startMs: T0, endMs: T0 + 10 }, { maxFragments: 8 }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe("snapToFragments", () => {
  it("narrows a range to its first and last fragments' starts, or nothing without fragments", () => {
    const fragments = [fragment(1, T0 - 500), fragment(2, T0 + 700), fragment(3, T0 + 4200)];
    expect(snapToFragments({ startMs: T0, endMs: T0 + 5000 }, fragments, BY_SERVER)).toEqual({
      startMs: T0 + 700,
      endMs: T0 + 4201,
    });
    expect(snapToFragments({ startMs: T0, endMs: T0 + 600 }, fragments, BY_SERVER)).toEqual(
      undefined,
    );
    // One fragment: GetClip needs an end after the start, so the range ends 1 ms after it.
    expect(snapToFragments({ startMs: T0, endMs: T0 + 900 }, fragments, BY_SERVER)).toEqual({
      startMs: T0 + 700,
      endMs: T0 + 701,
    });
  });

  it("selects exactly the fragments the asked range selects, and plans the same parts' contents", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20_000 }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 20_000 }),
        (starts, from, length) => {
          const fragments = starts.map((at, i) => fragment(i + 1, T0 + at));
          const range = { startMs: T0 + from, endMs: T0 + from + length };
          const snapped = snapToFragments(range, fragments, BY_SERVER);
          const asked = selectedBy(range, fragments);
          if (snapped === undefined) return asked.length === 0;
          const limits = { maxFragments: 7, maxBytes: 1_000_000 };
          const counts = (r: typeof range) =>
            planClipParts(r, fragments, BY_SERVER, limits).map((p) => p.fragmentCount);
          expect(new Set(selectedBy(snapped, fragments))).toEqual(new Set(asked));
          expect(counts(snapped)).toEqual(counts(range));
          // Within the asked range, but for 1 ms past a last fragment at its very end; and
          // ending after its start unless a fragment starts right after the last one.
          return (
            snapped.startMs >= range.startMs &&
            snapped.endMs <= range.endMs + 1 &&
            (snapped.endMs > snapped.startMs ||
              fragments.some((f) => f.serverTimestamp.getTime() === snapped.startMs + 1))
          );
        },
      ),
    );
  });
});
