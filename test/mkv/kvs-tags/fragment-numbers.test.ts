import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareFragmentNumbers } from "../../../src/mkv/kvs-tags/fragment-numbers.ts";

/** Decimal strings without leading zeros, 1 to 128 digits like the API's fragment numbers. */
const fragmentNumber = fc
  .tuple(
    fc.integer({ min: 1, max: 9 }),
    fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 127 }),
  )
  .map(([lead, rest]) => `${lead}${rest.join("")}`);

describe("compareFragmentNumbers", () => {
  it("orders numerically where text order does not", () => {
    const real = "91343852333181432392682062600000000000000000000";
    expect(compareFragmentNumbers("99", real)).toBeLessThan(0);
    expect(compareFragmentNumbers("1", real)).toBeLessThan(0);
    expect(compareFragmentNumbers(`${real}0`, real)).toBeGreaterThan(0);
    expect(compareFragmentNumbers(real, real)).toBe(0);
  });

  it("agrees with BigInt comparison", () => {
    fc.assert(
      fc.property(fragmentNumber, fragmentNumber, (a, b) => {
        const expected = BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;
        expect(Math.sign(compareFragmentNumbers(a, b))).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});
