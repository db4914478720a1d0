import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  concatBytes,
  element,
  encodeId,
  ID,
  type MkvErrorReason,
  readSize,
  UNKNOWN_SIZE,
  UNKNOWN_SIZE_8,
  uintElement,
} from "../../../src/mkv/ebml/primitives.ts";
import {
  MkvClusterSplitter,
  type SplitterOptions,
} from "../../../src/mkv/ingest/cluster-splitter.ts";
import type { MkvCluster, MkvHeader, SplitterEvent } from "../../../src/mkv/ingest/types.ts";
import { expected, fixture, randomChunks } from "../../support/fixtures.ts";

interface Split {
  headers: MkvHeader[];
  clusters: MkvCluster[];
  /** Timecodes of the "cluster-start" events. */
  starts: number[];
  errors: string[];
  reasons: MkvErrorReason[];
  /** Event types in order, without "cluster-start". */
  order: string[];
}

function split(chunks: Uint8Array[], options?: SplitterOptions): Split {
  const s = new MkvClusterSplitter(options);
  const events: SplitterEvent[] = [];
  for (const c of chunks) events.push(...s.push(c));
  events.push(...s.end());
  const out: Split = { headers: [], clusters: [], starts: [], errors: [], reasons: [], order: [] };
  for (const e of events) {
    if (e.type === "cluster-start") {
      out.starts.push(e.timecode);
      continue;
    }
    out.order.push(e.type);
    if (e.type === "header") out.headers.push(e.header);
    else if (e.type === "cluster") out.clusters.push(e.cluster);
    else {
      out.errors.push(e.error.message);
      out.reasons.push(e.reason);
    }
  }
  return out;
}

/** A split with the byte arrays replaced by hashes (deep-comparing megabytes is slow). */
function summary(s: Split): unknown {
  const hash = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
  return {
    headers: s.headers.map((h) => ({ ...h, bytes: hash(h.bytes) })),
    clusters: s.clusters.map((c) => ({ ...c, bytes: hash(c.bytes) })),
  };
}

/** Where each cluster must end: its known size, else the next Cluster/Tags offset, else EOF. */
function clusterEnds(name: string, buf: Uint8Array): number[] {
  const seg = expected[name]?.segments[0];
  if (!seg) throw new Error(`no expectation for ${name}`);
  const starts = [...seg.clusters.map((c) => c.offset), ...seg.tags.map((t) => t.offset)].sort(
    (a, b) => a - b,
  );
  return seg.clusters.map((c) => {
    if (c.sizeUnknown) return starts.find((s) => s > c.offset) ?? buf.length;
    const size = readSize(buf, c.offset + 4);
    if (!size || size.value === UNKNOWN_SIZE) throw new Error("bad fixture");
    return c.offset + 4 + size.length + size.value;
  });
}

const PRODUCER_FILES: [string, number, number][] = [
  ["clusters.mkv", 8, 444],
  ["test-stream-1_0.mkv", 37, 1640],
  ["vogels_480.mkv", 9, 2334],
  ["vogels_330.mkv", 9, 2334],
  ["bezos_vogels.mkv", 5, 546],
];

describe("MkvClusterSplitter on producer MKVs", () => {
  for (const [name, clusterCount, blockCount] of PRODUCER_FILES) {
    it(`${name}: ${clusterCount} clusters, ${blockCount} blocks, bytes as ingested`, () => {
      const buf = fixture(name);
      const exp = expected[name];
      const seg = exp?.segments[0];
      if (!exp || !seg) throw new Error("missing expectation");
      const result = split([buf]);
      expect(result.errors).toEqual([]);
      expect(result.headers).toHaveLength(1);
      expect(result.clusters).toHaveLength(clusterCount);
      expect(result.starts).toEqual(result.clusters.map((c) => c.timecode));
      expect(result.clusters.reduce((n, c) => n + c.blockCount, 0)).toBe(blockCount);

      const ends = clusterEnds(name, buf);
      result.clusters.forEach((c, i) => {
        const e = seg.clusters[i] as (typeof seg.clusters)[number];
        expect(c.timecode).toBe(e.timecode);
        expect(c.blockCount).toBe(e.simpleBlocks);
        expect(c.keyframeCount).toBe(e.keyframes);
        expect(Buffer.from(c.bytes).equals(Buffer.from(buf.subarray(e.offset, ends[i])))).toBe(
          true,
        );
      });

      // Header: EBML header as-is, Segment with unknown size, then everything up to Cluster 0.
      const header = result.headers[0] as MkvHeader;
      const segSize = readSize(buf, seg.segmentOffset + 4);
      if (!segSize) throw new Error("bad fixture");
      const want = concatBytes([
        buf.subarray(seg.ebmlHeaderOffset, seg.segmentOffset),
        encodeId(ID.Segment),
        UNKNOWN_SIZE_8,
        buf.subarray(seg.segmentOffset + 4 + segSize.length, seg.clusters[0]?.offset),
      ]);
      expect(Buffer.from(header.bytes).equals(Buffer.from(want))).toBe(true);
      expect(header.timecodeScaleNs).toBe(1_000_000);
      expect(header.tracks.map((t) => [t.number, t.codecId, t.codecPrivate?.length])).toEqual(
        exp.tracks.map((t) => [t.trackNumber, t.codecID, t.codecPrivateSize]),
      );
      expect(header.tracks[0]?.width).toBe(exp.tracks[0]?.pixelWidth);
    });
  }

  it("gives identical events for random chunk sizes", () => {
    for (const [name] of PRODUCER_FILES) {
      const buf = fixture(name);
      const whole = split([buf]);
      for (const [seed, max] of [
        [1, 65536],
        [2, 700],
      ] as const) {
        const chunked = split(randomChunks(buf, seed, max));
        expect(chunked.order).toEqual(whole.order);
        expect(summary(chunked)).toEqual(summary(whole));
      }
    }
  });

  it("reads test-stream-1_0.mkv's absolute ms timecodes and contiguous durations", () => {
    const { clusters } = split([fixture("test-stream-1_0.mkv")]);
    expect(clusters[0]?.timecode).toBe(1703120790149);
    for (let i = 0; i + 1 < clusters.length; i++) {
      const c = clusters[i] as MkvCluster;
      expect(c.durationTicks).toBe((clusters[i + 1] as MkvCluster).timecode - c.timecode);
    }
  });

  it("uses the track's DefaultDuration for the last frame", () => {
    // vogels_480: video DefaultDuration 33.37 ms; the last cluster ends at the file's duration.
    const { clusters } = split([fixture("vogels_480.mkv")]);
    const last = clusters.at(-1) as MkvCluster;
    expect(last.timecode).toBe(28821);
    expect(last.durationTicks).toBeGreaterThan(0);
    expect(last.durationTicks).toBeLessThan(5000);
  });

  it("emits a new header when a producer restarts mid-stream", () => {
    const a = fixture("test-stream-1_0.mkv");
    const b = fixture("clusters.mkv");
    const result = split(randomChunks(concatBytes([a, b]), 7, 50000));
    expect(result.errors).toEqual([]);
    expect(result.headers).toHaveLength(2);
    expect(result.clusters).toHaveLength(45);
    expect(result.order.indexOf("header", 1)).toBe(38);
    expect(result.headers[1]?.tracks[0]?.width).toBe(640);
  });
});

describe("MkvClusterSplitter on bad input", () => {
  it("reports input cut off mid-cluster as an error, keeping earlier clusters", () => {
    const buf = fixture("clusters.mkv");
    const seg = expected["clusters.mkv"]?.segments[0];
    const cut = (seg?.clusters[3]?.offset ?? 0) + 5000;
    for (const chunks of [[buf.subarray(0, cut)], randomChunks(buf.subarray(0, cut), 3, 4096)]) {
      const result = split(chunks);
      expect(result.clusters).toHaveLength(3);
      expect(result.order.at(-1)).toBe("error");
      expect(result.reasons).toEqual(["truncated"]);
      // The fourth Cluster had started arriving.
      expect(result.starts).toHaveLength(4);
    }
  });

  it("reports an unknown-size cluster cut mid-block as truncated", () => {
    const buf = fixture("test-stream-1_0.mkv");
    const seg = expected["test-stream-1_0.mkv"]?.segments[0];
    const cut = (seg?.clusters[2]?.offset ?? 0) + 3000;
    const result = split([buf.subarray(0, cut)]);
    expect(result.clusters).toHaveLength(2);
    expect(result.reasons).toEqual(["truncated"]);
  });

  it("emits a pending unknown-size cluster at end() when its blocks are complete", () => {
    // test-stream-1_0.mkv ends with a Tags element; cut it right before that Tags.
    const buf = fixture("test-stream-1_0.mkv");
    const seg = expected["test-stream-1_0.mkv"]?.segments[0];
    const lastTags = seg?.tags.at(-1)?.offset ?? 0;
    const result = split([buf.subarray(0, lastTags)]);
    expect(result.errors).toEqual([]);
    expect(result.clusters).toHaveLength(37);
  });

  it("rejects garbage and a truncated header", () => {
    const garbage = split([Uint8Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) & 0xff)]);
    expect(garbage.order).toEqual(["error"]);
    expect(garbage.reasons).toEqual(["corrupt"]);
    expect(split([Uint8Array.of(0, 0, 0, 0)]).reasons).toEqual(["corrupt"]);
    const cutHeader = split([fixture("clusters.mkv").subarray(0, 300)]);
    expect(cutHeader.order).toEqual(["error"]);
    expect(cutHeader.reasons).toEqual(["truncated"]);
    // Nothing after an error.
    const s = new MkvClusterSplitter();
    expect(s.push(Uint8Array.of(0))[0]?.type).toBe("error");
    expect(s.push(fixture("clusters.mkv"))).toEqual([]);
    expect(s.end()).toEqual([]);
  });

  it("caps cluster sizes: a known size over the cap fails before its bytes arrive", () => {
    const buf = fixture("clusters.mkv");
    const seg = expected["clusters.mkv"]?.segments[0];
    const firstCluster = seg?.clusters[0]?.offset ?? 0;
    const s = new MkvClusterSplitter({ maxClusterBytes: 100_000 });
    const events = s.push(buf.subarray(0, firstCluster + 20));
    expect(events.map((e) => e.type)).toEqual(["header", "error"]);
    expect(events[1]).toMatchObject({ type: "error", reason: "too-large" });
    expect(s.bufferedBytes).toBe(0);
  });

  it("calls a known-size Cluster above every element limit too large, not corrupt", () => {
    // Above maxElementBytes (the larger of the two caps): refused by the element scanner itself.
    const buf = fixture("clusters.mkv");
    const firstCluster = expected["clusters.mkv"]?.segments[0]?.clusters[0]?.offset ?? 0;
    const hugeCluster = concatBytes([
      encodeId(ID.Cluster),
      Uint8Array.of(0x01, 0, 0, 0, 0, 0x20, 0, 0),
    ]);
    const result = split([buf.subarray(0, firstCluster), hugeCluster], {
      maxClusterBytes: 100_000,
      maxHeaderBytes: 200_000,
    });
    expect(result.order).toEqual(["error"]);
    expect(result.reasons).toEqual(["too-large"]);
  });

  it("announces a Cluster as soon as its Timecode arrives, before the Cluster is complete", () => {
    const buf = fixture("clusters.mkv");
    const clusters = expected["clusters.mkv"]?.segments[0]?.clusters ?? [];
    const second = clusters[1]?.offset ?? 0;
    const s = new MkvClusterSplitter();
    const first = s.push(buf.subarray(0, second + 40));
    expect(first.map((e) => e.type)).toEqual([
      "header",
      "cluster-start",
      "cluster",
      "cluster-start",
    ]);
    expect(first[3]).toEqual({ type: "cluster-start", timecode: clusters[1]?.timecode });
    const rest = [...s.push(buf.subarray(second + 40)), ...s.end()];
    expect(rest.filter((e) => e.type === "cluster-start")).toHaveLength(clusters.length - 2);
    expect(rest.filter((e) => e.type === "cluster")).toHaveLength(clusters.length - 1);
  });

  it("caps unknown-size clusters while they grow", () => {
    const buf = fixture("test-stream-1_0.mkv");
    const s = new MkvClusterSplitter({ maxClusterBytes: 50_000 });
    const events: SplitterEvent[] = [];
    let maxBuffered = 0;
    for (const c of randomChunks(buf, 5, 8192)) {
      events.push(...s.push(c));
      maxBuffered = Math.max(maxBuffered, s.bufferedBytes);
    }
    expect(events.map((e) => e.type)).toEqual(["header", "cluster-start", "error"]);
    expect(events[2]).toMatchObject({ type: "error", reason: "too-large" });
    expect(maxBuffered).toBeLessThan(50_000 + 8192);
  });

  it("caps the header", () => {
    const big = element(ID.Void, new Uint8Array(2000));
    const ebml = element(ID.EBML, [element(ID.DocType, new TextEncoder().encode("matroska"))]);
    const mkv = concatBytes([
      ebml,
      encodeId(ID.Segment),
      UNKNOWN_SIZE_8,
      element(ID.Info, [uintElement(ID.TimecodeScale, 1_000_000)]),
      big,
    ]);
    expect(split([mkv], { maxHeaderBytes: 1000 }).order).toEqual(["error"]);
    expect(split([mkv], { maxHeaderBytes: 1000 }).reasons).toEqual(["too-large"]);
    expect(split([mkv], { maxHeaderBytes: 4000 }).order).toEqual(["header"]);
  });
});
