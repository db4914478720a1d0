// Property tests: corrupted GetMedia output never makes the reader throw, hang or hold more than
// its caps allow.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes } from "../../../src/mkv/ebml/primitives.ts";
import { GetMediaReader } from "../../../src/mkv/getmedia/reader.ts";
import type { ReaderEvent } from "../../../src/mkv/getmedia/types.ts";
import { fixture, randomChunks } from "../../support/fixtures.ts";
import { fragmentDocument } from "../../support/mkv.ts";

const MAX_VALUE = 2048;
const MAX_TAG_BYTES = 32 * 1024;

type Corruption =
  | { kind: "flip"; at: number; value: number }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "delete"; at: number; length: number };

const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  fc.record({
    kind: fc.constant("flip" as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  }),
  fc.record({
    kind: fc.constant("delete" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 64 }),
  }),
);

function corrupt(input: Uint8Array, changes: Corruption[]): Uint8Array {
  let buf = input;
  for (const c of changes) {
    const at = buf.length === 0 ? 0 : c.at % buf.length;
    if (c.kind === "flip") {
      buf = buf.slice();
      buf[at] = c.value;
    } else if (c.kind === "truncate") buf = buf.subarray(0, at);
    else if (c.kind === "insert")
      buf = concatBytes([buf.subarray(0, at), c.bytes, buf.subarray(at)]);
    else buf = concatBytes([buf.subarray(0, at), buf.subarray(at + c.length)]);
  }
  return buf;
}

const outcomes = { errors: 0, fragments: 0 };

/** Runs the reader and checks the invariants that must hold whatever the input. */
function checkInvariants(input: Uint8Array, seed: number): void {
  const reader = new GetMediaReader({
    maxValueBytes: MAX_VALUE,
    maxTagBytesPerFragment: MAX_TAG_BYTES,
  });
  const events: ReaderEvent[] = [];
  for (const chunk of randomChunks(input, seed, 1 + (seed % 4096))) {
    events.push(...reader.push(chunk));
    expect(reader.bufferedBytes).toBeLessThanOrEqual(MAX_VALUE);
  }
  events.push(...reader.end());
  const errorAt = events.findIndex((e) => e.type === "error");
  // At most one error, and nothing after it.
  expect(errorAt === -1 || errorAt === events.length - 1).toBe(true);
  if (errorAt !== -1) outcomes.errors++;
  // Every fragment is backed by input bytes, and its tag text stays within the budget.
  let bytes = 0;
  for (const e of events) {
    if (e.type !== "fragment") continue;
    bytes += e.fragment.byteSize;
    outcomes.fragments++;
    let tagText = 0;
    for (const t of e.fragment.otherTags) tagText += t.name.length + (t.value?.length ?? 0);
    expect(tagText).toBeLessThanOrEqual(MAX_TAG_BYTES);
  }
  expect(bytes).toBeLessThanOrEqual(input.length);
  expect(reader.push(Uint8Array.of(1, 2, 3))).toEqual([]);
}

const samples: [string, Uint8Array][] = [
  ["test_mixed_tags.mkv", fixture("test_mixed_tags.mkv")],
  ["empty-mkv-with-tags.mkv", fixture("empty-mkv-with-tags.mkv")],
  [
    "synthetic",
    concatBytes([
      fragmentDocument("1", "1700000000.000", { unknownSizeCluster: true }),
      fragmentDocument("2", "1700000002.000", { sizeWidth: 8 }),
    ]),
  ],
];

describe("GetMediaReader on corrupted input", () => {
  for (const [name, sample] of samples) {
    it(`${name}: byte flips, truncations, insertions and deletions`, () => {
      outcomes.errors = 0;
      outcomes.fragments = 0;
      fc.assert(
        fc.property(
          fc.array(corruption, { minLength: 1, maxLength: 8 }),
          fc.nat(),
          (changes, seed) => {
            checkInvariants(corrupt(sample, changes), seed);
          },
        ),
        { numRuns: 300, seed: 20240611 },
      );
      // The corruptions exercise both the error path and partial reads.
      expect(outcomes.errors).toBeGreaterThan(10);
      expect(outcomes.fragments).toBeGreaterThan(10);
    });
  }

  it("random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.nat(), (bytes, seed) => {
        checkInvariants(bytes, seed);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it("uncorrupted input split at arbitrary points reads the same", () => {
    const sample = fixture("test_mixed_tags.mkv");
    const reader = new GetMediaReader();
    const whole = JSON.stringify([...reader.push(sample), ...reader.end()]);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: sample.length }), { maxLength: 20 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), sample.length];
        const r = new GetMediaReader();
        const events: ReaderEvent[] = [];
        for (let i = 0; i + 1 < points.length; i++) {
          events.push(...r.push(sample.subarray(points[i], points[i + 1])));
        }
        events.push(...r.end());
        expect(JSON.stringify(events)).toBe(whole);
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});
