// The shared GetMedia captures (../shared/fixtures/getmedia): the files, what expected.json says
// about each, and seeded random chunkings to feed them to a reader in pieces.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { GetMediaFragment } from "../../src/mkv/getmedia/types.ts";

export const FIXTURES = path.resolve(import.meta.dirname, "../../../shared/fixtures/getmedia");

export interface ExpectedTag {
  name: string;
  value: string | null;
  position: "pre-cluster" | "post-cluster";
}

/** A fragment of expected.json: the reader's own fields under the same names, plus its counts. */
export type ExpectedFragment = Pick<
  GetMediaFragment,
  | "fragmentNumber"
  | "serverTimestamp"
  | "serverTimestampMs"
  | "producerTimestamp"
  | "producerTimestampMs"
  | "millisBehindNow"
  | "continuationToken"
  | "errorCode"
  | "errorId"
  | "complete"
  | "clusterTimecodes"
  | "lastBlockTruncated"
> & {
  segmentIndex: number;
  simpleBlocks: number;
  otherTags: ExpectedTag[];
};

export interface ExpectedCluster {
  offset: number;
  sizeUnknown: boolean;
  timecode: number;
  simpleBlocks: number;
  keyframes: number;
}

export interface ExpectedSegment {
  ebmlHeaderOffset: number;
  segmentOffset: number;
  clusters: ExpectedCluster[];
  tags: { position: string; offset: number; simpleTags: { name: string; value?: string }[] }[];
}

export interface ExpectedTrack {
  trackNumber: number;
  trackType: number;
  codecID: string;
  pixelWidth?: number;
  pixelHeight?: number;
  codecPrivateSize?: number;
}

export interface ExpectedFile {
  kind: string;
  bytes: number;
  ebmlDocuments: number;
  clusters: number;
  simpleBlocks: number;
  completeSimpleBlocks: number;
  endsMidElement: boolean;
  fragments: ExpectedFragment[];
  tracks: ExpectedTrack[];
  segments: ExpectedSegment[];
}

export const expected: Record<string, ExpectedFile> = JSON.parse(
  readFileSync(path.join(FIXTURES, "expected.json"), "utf8"),
);

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(FIXTURES, name)));
}

/** A small seeded PRNG (mulberry32) so random chunkings are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits `buf` into chunks of random sizes in [1, maxChunk]. */
export function randomChunks(buf: Uint8Array, seed: number, maxChunk: number): Uint8Array[] {
  const rand = prng(seed);
  const out: Uint8Array[] = [];
  for (let at = 0; at < buf.length; ) {
    const n = 1 + Math.floor(rand() * maxChunk);
    out.push(buf.subarray(at, at + n));
    at += n;
  }
  return out;
}
