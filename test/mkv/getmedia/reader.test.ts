import { describe, expect, it } from "vitest";
import { GetMediaReader, type GetMediaReaderOptions } from "../../../src/mkv/getmedia/reader.ts";
import type { GetMediaFragment, ReaderEvent } from "../../../src/mkv/getmedia/types.ts";
import {
  type ExpectedFile,
  type ExpectedTag,
  expected,
  fixture,
  randomChunks,
} from "../../support/fixtures.ts";

const AWS = "AWS_KINESISVIDEO_";

interface ReadResult {
  fragments: GetMediaFragment[];
  errors: string[];
  types: string[];
  maxBuffered: number;
}

function read(chunks: Iterable<Uint8Array>, options?: GetMediaReaderOptions): ReadResult {
  const reader = new GetMediaReader(options);
  const events: ReaderEvent[] = [];
  let maxBuffered = 0;
  for (const c of chunks) {
    events.push(...reader.push(c));
    maxBuffered = Math.max(maxBuffered, reader.bufferedBytes);
  }
  events.push(...reader.end());
  return {
    fragments: events.flatMap((e) => (e.type === "fragment" ? [e.fragment] : [])),
    errors: events.flatMap((e) => (e.type === "error" ? [e.error.message] : [])),
    types: events.map((e) => e.type),
    maxBuffered,
  };
}

/**
 * expected.json's otherTags, as a streaming reader attributes them: tags that follow a fragment's
 * closing tags in the same document go to the next fragment as pre-cluster (the earlier fragment
 * was already emitted). Only output_get_media_sparse_fragments_merged.mkv has such tags.
 */
function streamedOtherTags(file: ExpectedFile): ExpectedTag[][] {
  const out: ExpectedTag[][] = [];
  for (const seg of file.segments) {
    let pending: ExpectedTag[] = [];
    let current: ExpectedTag[] | null = null;
    let clusters = 0;
    const items = [
      ...seg.tags.map((t) => ({ offset: t.offset, tags: t.simpleTags })),
      ...seg.clusters.map((c) => ({ offset: c.offset, tags: null })),
    ].sort((a, b) => a.offset - b.offset);
    for (const item of items) {
      if (item.tags === null) {
        if (current) clusters++;
        continue;
      }
      const names = item.tags.map((t) => t.name);
      if (names.includes(`${AWS}FRAGMENT_NUMBER`)) {
        current = pending;
        pending = [];
        out.push(current);
        clusters = 0;
      }
      for (const t of item.tags) {
        if (t.name.startsWith(AWS)) continue;
        const position = current && clusters > 0 ? "post-cluster" : "pre-cluster";
        (current ?? pending).push({ name: t.name, value: t.value ?? null, position });
      }
      if (names.includes(`${AWS}MILLIS_BEHIND_NOW`) && names.includes(`${AWS}CONTINUATION_TOKEN`)) {
        current = null;
      }
    }
  }
  return out;
}

const MERGED = "output_get_media_sparse_fragments_merged.mkv";
const FILES = Object.keys(expected);

/** The comparable view of a fragment; expected.json's simpleBlocks is our blockCount. */
function view(f: GetMediaFragment) {
  return {
    fragmentNumber: f.fragmentNumber,
    serverTimestamp: f.serverTimestamp,
    serverTimestampMs: f.serverTimestampMs,
    producerTimestamp: f.producerTimestamp,
    producerTimestampMs: f.producerTimestampMs,
    millisBehindNow: f.millisBehindNow,
    continuationToken: f.continuationToken,
    errorCode: f.errorCode,
    errorId: f.errorId,
    complete: f.complete,
    clusterTimecodes: f.clusterTimecodes,
    simpleBlocks: f.blockCount,
    lastBlockTruncated: f.lastBlockTruncated,
    otherTags: f.otherTags,
  };
}

function expectedViews(name: string) {
  const file = expected[name] as ExpectedFile;
  const tags = streamedOtherTags(file);
  return file.fragments.map(({ segmentIndex: _, ...f }, i) => ({ ...f, otherTags: tags[i] }));
}

describe("GetMediaReader on the real captures", () => {
  it("attributes other tags like expected.json except after closing tags (merged file only)", () => {
    for (const name of FILES) {
      const file = expected[name] as ExpectedFile;
      const streamed = streamedOtherTags(file);
      if (name === MERGED) {
        expect(streamed.map((t) => t.length)).toEqual([7, 7, 7]);
        expect(file.fragments.map((f) => f.otherTags.length)).toEqual([14, 7, 0]);
      } else expect(streamed).toEqual(file.fragments.map((f) => f.otherTags));
    }
  });

  for (const name of FILES) {
    it(`${name}: whole buffer matches expected.json`, () => {
      const file = expected[name] as ExpectedFile;
      const buf = fixture(name);
      const result = read([buf]);
      expect(result.errors).toEqual([]);
      expect(result.fragments.map(view)).toEqual(expectedViews(name));
      // Payloads are skipped: only short values are ever held back.
      expect(result.maxBuffered).toBeLessThanOrEqual(12);

      for (const f of result.fragments) {
        expect(f.tracks.map((t) => [t.number, t.codecId, t.width, t.height])).toEqual(
          file.tracks.map((t) => [
            t.trackNumber,
            t.codecID.replace(/\0+$/, ""),
            t.pixelWidth,
            t.pixelHeight,
          ]),
        );
        expect(f.tracks.map((t) => t.codecPrivateLength)).toEqual(
          file.tracks.map((t) => t.codecPrivateSize),
        );
        expect(f.timecodeScaleNs).toBe(1_000_000);
      }
      if (name !== MERGED) {
        // One fragment per document: keyframes and byte sizes come from the document layout.
        result.fragments.forEach((f, i) => {
          const seg = file.segments[i];
          const next = file.segments[i + 1]?.ebmlHeaderOffset ?? file.bytes;
          expect(f.keyframeCount).toBe(seg?.clusters.reduce((n, c) => n + c.keyframes, 0));
          expect(f.byteSize).toBe(next - (seg?.ebmlHeaderOffset ?? 0));
        });
      }
      if (result.fragments.length > 0) {
        expect(result.fragments.reduce((n, f) => n + f.byteSize, 0)).toBe(file.bytes);
      }
    });
  }

  it("computes durations from block times and DefaultDuration", () => {
    // output_get_media: 60 frames of 33.333 ms per fragment.
    expect(read([fixture("output_get_media.mkv")]).fragments.map((f) => f.durationMs)).toEqual([
      2000, 2000, 2000, 2000, 2000,
    ]);
    // test_mixed_tags: no DefaultDuration; 10 frames per 5 s cluster, so the mean gap is used.
    const mixed = read([fixture("test_mixed_tags.mkv")]).fragments;
    expect(mixed.map((f) => f.durationMs)).toEqual(mixed.map(() => 5000));
    expect(read([fixture("empty-mkv-with-tags.mkv")]).fragments[0]?.durationMs).toBeNull();
  });

  it("gives the same fragments for every split of test_mixed_tags.mkv into two", () => {
    const buf = fixture("test_mixed_tags.mkv");
    const events = (r: ReadResult) => JSON.stringify([r.types, r.fragments]);
    const whole = events(read([buf]));
    const failures: number[] = [];
    for (let at = 0; at <= buf.length; at++) {
      if (events(read([buf.subarray(0, at), buf.subarray(at)])) !== whole) failures.push(at);
    }
    expect(failures).toEqual([]);
  });

  it("reads byte by byte as in one chunk (no element is ever taken whole or reused)", () => {
    // One-byte chunks never hold a whole body, so Tags, Info and Tracks are all descended child
    // by child; in one chunk they are read whole, and repeats are taken from earlier documents.
    const buf = fixture("test_mixed_tags.mkv");
    const twice = new Uint8Array(buf.length * 2);
    twice.set(buf);
    twice.set(buf, buf.length);
    const bytes = Array.from({ length: twice.length }, (_, i) => twice.subarray(i, i + 1));
    const whole = read([twice]);
    expect(whole.fragments).toHaveLength(20);
    expect(read(bytes).fragments).toEqual(whole.fragments);
  });

  it("gives the same fragments for random chunk sizes, for every file", () => {
    for (const name of FILES) {
      const buf = fixture(name);
      const whole = read([buf]);
      const seeds: [number, number][] = [
        [11, 65536],
        [12, 4096],
        [13, buf.length < 100_000 ? 8 : 300],
      ];
      for (const [seed, max] of seeds) {
        const chunked = read(randomChunks(buf, seed, max));
        expect(chunked.types).toEqual(whole.types);
        expect(chunked.fragments).toEqual(whole.fragments);
        expect(chunked.maxBuffered).toBeLessThanOrEqual(200);
      }
    }
  });

  it("emits a fragment as soon as its closing tags end, before the next document", () => {
    const file = expected["output_get_media.mkv"] as ExpectedFile;
    const buf = fixture("output_get_media.mkv");
    const end0 = file.segments[1]?.ebmlHeaderOffset ?? 0;
    const reader = new GetMediaReader();
    expect(reader.push(buf.subarray(0, end0 - 1))).toEqual([]);
    const events = reader.push(buf.subarray(end0 - 1, end0));
    expect(events.map((e) => e.type)).toEqual(["fragment"]);
    expect(events[0]?.type === "fragment" && events[0].fragment.millisBehindNow).toBe(15858);
  });

  it("reports the block cut off at the end of a capture", () => {
    for (const name of [
      "output-get-media-equal-timecode.mkv",
      "output-get-media-non-increasing-timecode.mkv",
    ]) {
      const { fragments } = read([fixture(name)]);
      const last = fragments.at(-1);
      expect(last?.complete).toBe(false);
      expect(last?.lastBlockTruncated).toBe(true);
      expect(fragments.filter((f) => f.lastBlockTruncated)).toHaveLength(1);
    }
  });
});
