import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ClipFragment,
  type ListFragmentsPage,
  listClipFragments,
  planClipParts,
} from "../../../src/kvs/clips/parts.ts";
import { InvalidArgumentError } from "../../../src/kvs/core/errors.ts";

const T0 = Date.parse("2025-01-01T00:00:00.000Z");

function fragment(
  n: number,
  startMs: number,
  sizeBytes = 1000,
  producerMs = startMs,
): ClipFragment {
  return { fragmentNumber: String(n), startMs, producerMs, sizeBytes, durationMs: 1000 };
}

/**
 * What GetClip returns for a range, as the API reference (and the local backend) define it:
 * fragments starting within [start, end], one per producer timestamp (the oldest ingested).
 */
function selectedBy(
  range: { startMs: number; endMs: number },
  fragments: readonly ClipFragment[],
): ClipFragment[] {
  const kept = new Map<number, ClipFragment>();
  for (const f of fragments.filter((f) => f.startMs >= range.startMs && f.startMs <= range.endMs)) {
    const other = kept.get(f.producerMs);
    if (!other || Number(f.fragmentNumber) < Number(other.fragmentNumber))
      kept.set(f.producerMs, f);
  }
  return [...kept.values()];
}

describe("planClipParts", () => {
  it("gives one part spanning the whole range when it fits one GetClip", () => {
    const fragments = [fragment(1, T0 + 500), fragment(2, T0 + 1500)];
    expect(planClipParts({ startMs: T0, endMs: T0 + 10_000 }, fragments)).toEqual([
      { startMs: T0, endMs: T0 + 10_000, fragmentCount: 2, sizeBytes: 2000 },
    ]);
  });

  it("gives no part when no fragment starts in the range", () => {
    const fragments = [fragment(1, T0 - 500), fragment(2, T0 + 20_000)];
    expect(planClipParts({ startMs: T0, endMs: T0 + 10_000 }, fragments)).toEqual([]);
  });

  it("cuts 3 minutes of 1 s fragments into parts of at most 200 fragments", () => {
    // 450 fragments, listed out of order as KVS may.
    const fragments = Array.from({ length: 450 }, (_, i) => fragment(i, T0 + i * 1000)).reverse();
    const parts = planClipParts({ startMs: T0, endMs: T0 + 450_000 }, fragments);
    expect(parts.map((p) => p.fragmentCount)).toEqual([200, 200, 50]);
    expect(parts.map((p) => [p.startMs - T0, p.endMs - T0])).toEqual([
      [0, 199_999],
      [200_000, 399_999],
      [400_000, 450_000],
    ]);
  });

  it("cuts by size as well as by count", () => {
    const fragments = Array.from({ length: 10 }, (_, i) => fragment(i, T0 + i * 1000, 400));
    const parts = planClipParts({ startMs: T0, endMs: T0 + 20_000 }, fragments, {
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
    const parts = planClipParts({ startMs: T0, endMs: T0 + 3000 }, fragments, {
      maxFragments: 200,
      maxBytes: 1000,
    });
    expect(parts.map((p) => p.fragmentCount)).toEqual([1, 1, 1]);
  });

  it("counts fragments sharing a producer timestamp once, as GetClip keeps the oldest", () => {
    const fragments = [fragment(12, T0, 300), fragment(9, T0, 100), fragment(13, T0 + 1000, 100)];
    const [part] = planClipParts({ startMs: T0, endMs: T0 + 5000 }, fragments);
    expect(part).toMatchObject({ fragmentCount: 2, sizeBytes: 200 });
    // By server timestamp, a re-sent fragment arrives later but is still the same producer instant.
    const byServer = [fragment(9, T0 + 50, 100, T0), fragment(12, T0 + 4000, 300, T0)];
    expect(planClipParts({ startMs: T0, endMs: T0 + 5000 }, byServer)).toEqual([
      { startMs: T0, endMs: T0 + 5000, fragmentCount: 1, sizeBytes: 100 },
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
          const parts = planClipParts(range, fragments, limits);
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
          const seen = parts.flatMap((p) => selectedBy(p, fragments).map((f) => f.fragmentNumber));
          expect(seen.sort()).toEqual(inRange.map((f) => f.fragmentNumber).sort());
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("listClipFragments", () => {
  it("reads every page and maps the selector's timestamp", async () => {
    const requests: unknown[] = [];
    const pages = [
      {
        Fragments: [
          {
            FragmentNumber: "2",
            ProducerTimestamp: new Date(T0 + 1000),
            ServerTimestamp: new Date(T0 + 1500),
            FragmentSizeInBytes: 10,
            FragmentLengthInMilliseconds: 1000,
          },
        ],
        NextToken: "page2",
      },
      {
        Fragments: [
          {
            FragmentNumber: "1",
            ProducerTimestamp: new Date(T0),
            ServerTimestamp: new Date(T0 + 500),
            FragmentSizeInBytes: 20,
            FragmentLengthInMilliseconds: 1000,
          },
        ],
      },
    ];
    const listPage: ListFragmentsPage = async (input) => {
      requests.push(input);
      return pages[requests.length - 1] ?? {};
    };
    const fragments = await listClipFragments(listPage, "arn:s", "SERVER_TIMESTAMP", {
      startMs: T0,
      endMs: T0 + 5000,
    });
    expect(fragments).toEqual([
      {
        fragmentNumber: "2",
        startMs: T0 + 1500,
        producerMs: T0 + 1000,
        sizeBytes: 10,
        durationMs: 1000,
      },
      { fragmentNumber: "1", startMs: T0 + 500, producerMs: T0, sizeBytes: 20, durationMs: 1000 },
    ]);
    expect(requests).toHaveLength(2);
    expect(requests[1]).toMatchObject({ StreamARN: "arn:s", NextToken: "page2" });
  });

  it("asks for pages no faster than KVS's ListFragments limit allows", async () => {
    const calledAt: number[] = [];
    const listPage: ListFragmentsPage = async () => {
      calledAt.push(performance.now());
      return calledAt.length < 4
        ? { Fragments: [], NextToken: `p${calledAt.length}` }
        : { Fragments: [] };
    };
    await listClipFragments(
      listPage,
      "arn:s",
      "SERVER_TIMESTAMP",
      { startMs: T0, endMs: T0 + 10 },
      {
        minPageIntervalMs: 30,
      },
    );
    expect(calledAt).toHaveLength(4);
    for (let i = 1; i < calledAt.length; i++) {
      expect((calledAt[i] ?? 0) - (calledAt[i - 1] ?? 0)).toBeGreaterThanOrEqual(29);
    }
  });

  it("refuses a range holding more fragments than the bound", async () => {
    const listPage: ListFragmentsPage = async () => ({
      Fragments: Array.from({ length: 5 }, (_, i) => ({
        FragmentNumber: String(i),
        ServerTimestamp: new Date(T0 + i),
        ProducerTimestamp: new Date(T0 + i),
      })),
      NextToken: "more",
    });
    await expect(
      listClipFragments(
        listPage,
        "arn:s",
        "SERVER_TIMESTAMP",
        { startMs: T0, endMs: T0 + 10 },
        { maxFragments: 8 },
      ),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
