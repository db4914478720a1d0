// The selection rules on their own, where the 100 MB limit can be checked without 100 MB of media.
import { describe, expect, it } from "vitest";
import {
  CLIP_MAX_BYTES,
  CLIP_MAX_FRAGMENTS,
  selectClipFragments,
} from "../../../src/local-kvs/archived-media/clip/clip-selection.ts";
import type { FragmentRecord } from "../../../src/local-kvs/store/types.ts";

let counter = 0;
function fragment(overrides: Partial<FragmentRecord>): FragmentRecord {
  counter++;
  return {
    fragmentNumber: String(91343852333181432392682062600000000000000000000n + BigInt(counter)),
    streamArn: "arn:aws:kinesisvideo:us-east-1:123456789012:stream/s/1",
    headerId: "h",
    serverTimestampMs: 1_700_000_000_000 + counter,
    producerTimestampMs: 1_700_000_000_000 + counter * 1000,
    durationMs: 1000,
    sizeBytes: 1000,
    clusterTimecode: 0,
    blockCount: 1,
    keyframeCount: 1,
    ingestionId: 1,
    ...overrides,
  };
}

describe("selectClipFragments", () => {
  it("orders by the selector's timestamp and keeps the oldest ingestion of a producer timestamp", () => {
    const a = fragment({ producerTimestampMs: 3000, serverTimestampMs: 10, ingestionId: 1 });
    const b = fragment({ producerTimestampMs: 1000, serverTimestampMs: 20, ingestionId: 1 });
    const bAgain = fragment({ producerTimestampMs: 1000, serverTimestampMs: 30, ingestionId: 2 });
    const c = fragment({ producerTimestampMs: 2000, serverTimestampMs: 5, ingestionId: 2 });

    const byProducer = selectClipFragments([bAgain, a, c, b], "producer");
    expect(byProducer.map((f) => f.producerTimestampMs)).toEqual([1000, 2000, 3000]);
    expect(byProducer[0]).toBe(b);

    const byServer = selectClipFragments([bAgain, a, c, b], "server");
    expect(byServer).toEqual([c, a, b]);
  });

  it("stops at 200 fragments", () => {
    const many = Array.from({ length: CLIP_MAX_FRAGMENTS + 25 }, (_, i) =>
      fragment({ producerTimestampMs: i * 1000 }),
    );
    const selected = selectClipFragments(many, "producer");
    expect(selected).toHaveLength(CLIP_MAX_FRAGMENTS);
    expect(selected.at(-1)?.producerTimestampMs).toBe((CLIP_MAX_FRAGMENTS - 1) * 1000);
  });

  it("stops before the fragment that would pass 100 MB, but never returns an empty clip", () => {
    const tenMb = 10 * 1024 * 1024;
    const big = Array.from({ length: 15 }, (_, i) =>
      fragment({ producerTimestampMs: i, sizeBytes: tenMb }),
    );
    expect(selectClipFragments(big, "producer")).toHaveLength(CLIP_MAX_BYTES / tenMb);

    const huge = fragment({ producerTimestampMs: 0, sizeBytes: CLIP_MAX_BYTES + 1 });
    expect(selectClipFragments([huge], "producer")).toEqual([huge]);
  });

  it("honours custom limits", () => {
    const list = Array.from({ length: 5 }, (_, i) => fragment({ producerTimestampMs: i }));
    expect(selectClipFragments(list, "producer", { maxFragments: 3, maxBytes: 1e9 })).toHaveLength(
      3,
    );
    expect(selectClipFragments(list, "producer", { maxFragments: 9, maxBytes: 2500 })).toHaveLength(
      2,
    );
  });
});
