import { describe, expect, it } from "vitest";
import {
  concatBytes,
  element,
  encodeId,
  ID,
  UNKNOWN_SIZE_8,
} from "../../../src/mkv/ebml/primitives.ts";
import { GetMediaReader, type GetMediaReaderOptions } from "../../../src/mkv/getmedia/reader.ts";
import type { GetMediaFragment, ReaderEvent } from "../../../src/mkv/getmedia/types.ts";
import { decimalSecondsToMs } from "../../../src/mkv/kvs-tags/values.ts";
import { randomChunks } from "../../support/fixtures.ts";
import { CT, documentBytes, EC, EI, FN, fragmentDocument, MBN, PT, ST } from "../../support/mkv.ts";

function readAll(chunks: Uint8Array[], options?: GetMediaReaderOptions) {
  const reader = new GetMediaReader(options);
  const events: ReaderEvent[] = [];
  for (const c of chunks) events.push(...reader.push(c));
  const beforeEnd = events.length;
  events.push(...reader.end());
  return {
    events,
    beforeEnd,
    fragments: events.flatMap((e) => (e.type === "fragment" ? [e.fragment] : [])),
    errors: events.flatMap((e) => (e.type === "error" ? [e.error.message] : [])),
  };
}

const N1 = "91343852333181432392682062607743920146159169392";
const N2 = "91343852333181432397633822764885441725874549888";

describe("GetMediaReader on synthetic GetMedia output", () => {
  it("reads ERROR_CODE / ERROR_ID after a fragment's cluster and emits it at once", () => {
    const doc = documentBytes({
      pre: [
        [FN, N1],
        [ST, "1700000000.123"],
        [PT, "1700000000.000"],
      ],
      clusterTimecode: 500,
      blocks: [{ rel: 0, key: true }, { rel: 33 }],
      post: [
        [EC, "INTERNAL_ERROR"],
        [EI, "4000"],
      ],
    });
    const { fragments, beforeEnd, errors } = readAll([doc]);
    expect(errors).toEqual([]);
    expect(beforeEnd).toBe(1);
    expect(fragments).toHaveLength(1);
    expect(fragments[0]).toMatchObject({
      fragmentNumber: N1,
      serverTimestampMs: 1700000000123,
      errorCode: "INTERNAL_ERROR",
      errorId: "4000",
      complete: false,
      clusterTimecodes: [500],
      blockCount: 2,
      keyframeCount: 1,
    } satisfies Partial<GetMediaFragment>);
  });

  it("treats error tags repeating the open fragment's number as part of that fragment", () => {
    const doc = documentBytes({
      pre: [
        [FN, N1],
        [ST, "1700000000.123"],
        [PT, "1700000000.000"],
      ],
      blocks: [{ rel: 0, key: true }],
      post: [
        [FN, N1],
        [EC, "THROTTLED"],
        [EI, "4002"],
      ],
    });
    const { fragments } = readAll([doc]);
    expect(fragments.map((f) => [f.fragmentNumber, f.errorCode, f.clusterTimecodes])).toEqual([
      [N1, "THROTTLED", [0]],
    ]);
  });

  it("reads an error fragment without a cluster, and one without a fragment number", () => {
    const javaStyle = documentBytes({
      pre: [
        [FN, N2],
        [EC, "FRAGMENT_NOT_FOUND"],
        [EI, "4004"],
      ],
    });
    const bare = documentBytes({
      pre: [
        [EC, "SESSION_ENDED"],
        [EI, "5000"],
      ],
    });
    const input = concatBytes([fragmentDocument(N1, "1700000000.000"), javaStyle, bare]);
    const { fragments, errors } = readAll(randomChunks(input, 3, 50));
    expect(errors).toEqual([]);
    expect(
      fragments.map((f) => [
        f.fragmentNumber,
        f.serverTimestamp,
        f.errorCode,
        f.errorId,
        f.complete,
      ]),
    ).toEqual([
      [N1, "1700000000.000", null, null, true],
      [N2, null, "FRAGMENT_NOT_FOUND", "4004", false],
      [null, null, "SESSION_ENDED", "5000", false],
    ]);
  });

  it("accepts every size-field width and unknown-size clusters", () => {
    const results = [];
    for (let w = 1; w <= 8; w++) {
      for (const unknownSizeCluster of [false, true]) {
        const doc = fragmentDocument(N1, "1700000000.5", { sizeWidth: w, unknownSizeCluster });
        const { fragments, errors } = readAll(randomChunks(doc, w, 7));
        expect(errors).toEqual([]);
        results.push(fragments);
      }
    }
    // Only the byte sizes differ between the encodings.
    const sizeless = (fs: GetMediaFragment[]) => fs.map(({ byteSize: _, ...f }) => f);
    for (const r of results) expect(sizeless(r)).toEqual(sizeless(results[0] ?? []));
    expect(results[0]?.[0]).toMatchObject({
      fragmentNumber: N1,
      serverTimestampMs: 1700000000500,
      millisBehindNow: 100,
      continuationToken: N1,
      complete: true,
      blockCount: 30,
      keyframeCount: 1,
      durationMs: 990,
    });
  });

  it("keeps the last value of a repeated tag and strips NUL padding from AWS values", () => {
    const doc = documentBytes({
      pre: [
        [FN, `${N1}\0\0`],
        [ST, "1.000"],
        [ST, "2.000\0"],
        [PT, "0.5"],
        ["CUSTOM", "v\0"],
      ],
      blocks: [{ rel: 0, key: true }],
      post: [
        [MBN, "7"],
        [CT, N1],
      ],
    });
    const [f] = readAll([doc]).fragments;
    expect(f?.fragmentNumber).toBe(N1);
    expect(f?.serverTimestamp).toBe("2.000");
    expect(f?.serverTimestampMs).toBe(2000);
    expect(f?.producerTimestampMs).toBe(500);
    expect(f?.otherTags).toEqual([{ name: "CUSTOM", value: "v\0", position: "pre-cluster" }]);
  });

  it("decodes non-ASCII tag text of any length and tells KVS tag names from look-alikes", () => {
    const long = "値".repeat(20);
    const doc = documentBytes({
      pre: [
        [FN, N1],
        ["café", "ü"],
        ["\u{1F600}", "ascii then é"],
        ["tag-名前", long],
        // Not KVS names: a NUL-padded one, and one that differs only in its last byte.
        [`${FN}\0`, N2],
        [`${FN.slice(0, -1)}X`, N2],
        [FN.toLowerCase(), "kept"],
      ],
      blocks: [{ rel: 0, key: true }],
      post: [
        [MBN, "7"],
        [CT, N1],
      ],
    });
    const [f] = readAll([doc]).fragments;
    expect(f?.fragmentNumber).toBe(N1);
    expect(f?.complete).toBe(true);
    expect(f?.otherTags.map(({ name, value }) => [name, value])).toEqual([
      ["café", "ü"],
      ["\u{1F600}", "ascii then é"],
      ["tag-名前", long],
      [FN.toLowerCase(), "kept"],
    ]);
  });

  it("converts decimal seconds exactly", () => {
    expect(decimalSecondsToMs("1511852109.126")).toBe(1511852109126);
    expect(decimalSecondsToMs("1.290")).toBe(1290); // ceil(1.29 * 1000) in floats is 1291
    expect(decimalSecondsToMs("0.000")).toBe(0);
    expect(decimalSecondsToMs("45")).toBe(45000);
    expect(decimalSecondsToMs("1.5")).toBe(1500);
    expect(decimalSecondsToMs("1.0001")).toBe(1001);
    expect(decimalSecondsToMs("1.2340000")).toBe(1234);
    expect(decimalSecondsToMs("1.")).toBe(1000);
    expect(decimalSecondsToMs("007.0000001")).toBe(7001);
    expect(decimalSecondsToMs("9".repeat(20))).toBeNull();
    for (const bad of ["", "abc", "-1.000", "1e3", " 1.0", "1.2.3", ".5", "1.5 ", "١.٢"]) {
      expect(decimalSecondsToMs(bad)).toBeNull();
    }
  });
});

describe("GetMediaReader on hostile input", () => {
  const ebml = element(ID.EBML, [element(ID.DocType, new TextEncoder().encode("matroska"))]);
  const segment = concatBytes([encodeId(ID.Segment), UNKNOWN_SIZE_8]);

  it("rejects a huge tag value before reading it", () => {
    const huge = concatBytes([
      ebml,
      segment,
      encodeId(ID.Tags),
      Uint8Array.of(0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
      encodeId(ID.Tag),
      Uint8Array.of(0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
      encodeId(ID.SimpleTag),
      Uint8Array.of(0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
      encodeId(ID.TagString),
      Uint8Array.of(0x01, 0, 0, 0x10, 0, 0, 0, 0), // 2^44 bytes
      new Uint8Array(1000),
    ]);
    const reader = new GetMediaReader();
    const events = reader.push(huge);
    expect(events.map((e) => e.type)).toEqual(["error"]);
    expect(reader.bufferedBytes).toBe(0);
    expect(reader.push(huge)).toEqual([]);
    expect(reader.end()).toEqual([]);
  });

  it("rejects over-size elements, unknown-size leaves, deep nesting and tag floods", () => {
    const cases: [Uint8Array, GetMediaReaderOptions?][] = [
      // A Cluster claiming 1 GiB.
      [concatBytes([ebml, segment, encodeId(ID.Cluster), Uint8Array.of(0x08, 0x40, 0, 0, 0)])],
      // A Timecode of unknown size.
      [
        concatBytes([
          ebml,
          segment,
          encodeId(ID.Cluster),
          UNKNOWN_SIZE_8,
          Uint8Array.of(0xe7, 0xff),
        ]),
      ],
      // SimpleTags nested 100 deep.
      [
        concatBytes([
          ebml,
          segment,
          encodeId(ID.Tags),
          UNKNOWN_SIZE_8,
          encodeId(ID.Tag),
          UNKNOWN_SIZE_8,
          ...Array.from({ length: 100 }, () =>
            concatBytes([encodeId(ID.SimpleTag), UNKNOWN_SIZE_8]),
          ),
        ]),
      ],
      // 5000 empty SimpleTags in one fragment, over a 16 KiB tag budget.
      [
        concatBytes([
          ebml,
          segment,
          element(ID.Tags, [
            element(
              ID.Tag,
              Array.from({ length: 5000 }, () => element(ID.SimpleTag, new Uint8Array(0))),
            ),
          ]),
        ]),
        { maxTagBytesPerFragment: 16 * 1024 },
      ],
      // Garbage at the top level.
      [Uint8Array.of(0x42, 0x82, 0x81, 0x00)],
      [Uint8Array.of(0x00, 0x01)],
    ];
    for (const [input, options] of cases) {
      const { events } = readAll(randomChunks(input, 9, 5), options);
      expect(events.map((e) => e.type)).toEqual(["error"]);
    }
  });

  it("emits nothing for empty input and tags-only documents", () => {
    expect(readAll([]).events).toEqual([]);
    expect(readAll([new Uint8Array(0)]).events).toEqual([]);
    expect(readAll([documentBytes({ pre: [["A", "b"]] })]).events).toEqual([]);
  });

  it("counts frames and key frames per track", () => {
    const doc = documentBytes({
      audioTrack: true,
      pre: [
        [FN, N1],
        [ST, "1700000000.123"],
        [PT, "1700000000.000"],
      ],
      blocks: [
        { track: 1, rel: 0, key: true },
        { track: 2, rel: 0, key: true },
        { track: 1, rel: 33 },
        { track: 2, rel: 21, key: true },
        { track: 1, rel: 66 },
        { track: 2, rel: 42, key: true },
      ],
      post: [
        [MBN, "0"],
        [CT, N1],
      ],
    });
    const { fragments } = readAll([doc]);
    expect(fragments).toHaveLength(1);
    const fragment = fragments[0];
    expect(fragment?.blockCount).toBe(6);
    expect(fragment?.keyframeCount).toBe(4);
    expect(fragment?.tracks.map((t) => [t.codecId, t.blockCount, t.keyframeCount])).toEqual([
      ["V_MPEG4/ISO/AVC", 3, 1],
      ["A_AAC", 3, 3],
    ]);
  });
});
