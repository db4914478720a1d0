// Test MKV: an EBML walker of its own (no code shared with src/mkv, so it checks what kvs-local
// writes independently), GetMedia output split into its documents, synthetic GetMedia documents
// for the reader tests, and producer MKVs built from the bundled demo sample's blocks (many short
// Clusters, chosen timecodes, other codec IDs or broken codec private data, cheaply and in memory).

import { readFileSync } from "node:fs";
import { DEMO_SAMPLE_PATH } from "../../src/local-kvs/demo/demo-sample.ts";
import {
  concatBytes,
  element,
  encodeId,
  encodeSize,
  ID,
  readUint,
  stringElement,
  UNKNOWN_SIZE_8,
  uintElement,
} from "../../src/mkv/ebml/primitives.ts";
import { readClusterBlocks } from "../../src/mkv/matroska/cluster-blocks.ts";

// ---- reading: an independent MKV walker ----

function vint(
  buf: Uint8Array,
  at: number,
  keepMarker: boolean,
): { value: number; length: number; unknown: boolean } {
  const first = buf[at] as number;
  let length = 1;
  while (length <= 8 && !(first & (0x80 >> (length - 1)))) length++;
  if (length > 8) throw new Error(`bad VINT at ${at}`);
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = (first & (0xff >> length)) === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const b = buf[at + i] as number;
    if (b !== 0xff) allOnes = false;
    value = value * 256 + b;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

export interface Element {
  id: number;
  start: number;
  dataStart: number;
  /** End offset (for unknown sizes: where the next element of level ≤ 1 begins). */
  end: number;
  unknownSize: boolean;
}

const EBML_ID = 0x1a45dfa3;
const SEGMENT_ID = 0x18538067;
const CLUSTER_ID = 0x1f43b675;
const TAGS_ID = 0x1254c367;
/** IDs that end an unknown-size Cluster (top-level Segment children and the EBML header). */
const LEVEL_ONE = new Set([
  EBML_ID,
  SEGMENT_ID,
  CLUSTER_ID,
  TAGS_ID,
  0x1c53bb6b, // Cues
  0x1654ae6b, // Tracks
  0x1549a966, // Info
  0x114d9b74, // SeekHead
  0x1043a770, // Chapters
  0x1941a469, // Attachments
]);

export function readElement(buf: Uint8Array, at: number): Element {
  const id = vint(buf, at, true);
  const size = vint(buf, at + id.length, false);
  const dataStart = at + id.length + size.length;
  if (!size.unknown) {
    return { id: id.value, start: at, dataStart, end: dataStart + size.value, unknownSize: false };
  }
  if (id.value === SEGMENT_ID) {
    // Ends at the next EBML header at Segment-child level, or at the end of the buffer.
    let p = dataStart;
    while (p < buf.length) {
      const child = readElement(buf, p);
      if (child.id === EBML_ID) break;
      p = child.end;
    }
    return { id: id.value, start: at, dataStart, end: p, unknownSize: true };
  }
  // Unknown-size Cluster: its children run until a level-1 (or higher) element.
  let p = dataStart;
  while (p < buf.length) {
    const childId = vint(buf, p, true).value;
    if (LEVEL_ONE.has(childId)) break;
    p = readElement(buf, p).end;
  }
  return { id: id.value, start: at, dataStart, end: p, unknownSize: true };
}

export function children(buf: Uint8Array, parent: Element): Element[] {
  const out: Element[] = [];
  for (let p = parent.dataStart; p < parent.end; ) {
    const el = readElement(buf, p);
    out.push(el);
    p = el.end;
  }
  return out;
}

/** The Clusters of a producer MKV (one EBML document), as byte slices. */
export function clustersOf(file: Uint8Array): Uint8Array[] {
  const ebml = readElement(file, 0);
  const segment = readElement(file, ebml.end);
  return children(file, segment)
    .filter((e) => e.id === CLUSTER_ID)
    .map((e) => file.subarray(e.start, e.end));
}

export interface GetMediaDocument {
  bytes: Uint8Array;
  segmentSizeBytes: Uint8Array;
  /** Tags groups in order, each a list of [name, value]. */
  tagGroups: Array<Array<[string, string]>>;
  cluster?: Uint8Array;
  /** Size-field widths of each element in the KVS Tags groups (must all be 4). */
  tagSizeWidths: number[];
}

const decoder = new TextDecoder();

function readTags(buf: Uint8Array, tags: Element, widths: number[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const width = (e: Element) => e.dataStart - e.start - vint(buf, e.start, true).length;
  widths.push(width(tags));
  for (const tag of children(buf, tags)) {
    widths.push(width(tag));
    for (const simple of children(buf, tag)) {
      widths.push(width(simple));
      let name = "";
      let value = "";
      for (const field of children(buf, simple)) {
        widths.push(width(field));
        const text = decoder.decode(buf.subarray(field.dataStart, field.end));
        if (field.id === 0x45a3) name = text;
        if (field.id === 0x4487) value = text;
      }
      pairs.push([name, value]);
    }
  }
  return pairs;
}

function parseDocument(buf: Uint8Array, p: number): { doc: GetMediaDocument; end: number } {
  const ebml = readElement(buf, p);
  if (ebml.id !== EBML_ID) throw new Error(`expected an EBML header at ${p}`);
  const segment = readElement(buf, ebml.end);
  if (segment.id !== SEGMENT_ID) throw new Error(`expected a Segment at ${ebml.end}`);
  if (segment.end > buf.length) throw new RangeError("document cut off");
  const doc: GetMediaDocument = {
    bytes: buf.subarray(p, segment.end),
    segmentSizeBytes: buf.subarray(segment.start + 4, segment.dataStart),
    tagGroups: [],
    tagSizeWidths: [],
  };
  for (const child of children(buf, segment)) {
    if (child.end > buf.length) throw new RangeError("document cut off");
    if (child.id === TAGS_ID) {
      const widths: number[] = [];
      const pairs = readTags(buf, child, widths);
      if (pairs.some(([name]) => name.startsWith("AWS_KINESISVIDEO"))) {
        doc.tagSizeWidths.push(...widths);
      }
      doc.tagGroups.push(pairs);
    }
    if (child.id === CLUSTER_ID) doc.cluster = buf.subarray(child.start, child.end);
  }
  return { doc, end: segment.end };
}

/** Splits GetMedia output into its documents; with `partial`, stops quietly at a cut-off one. */
export function splitGetMedia(buf: Uint8Array, partial = false): GetMediaDocument[] {
  const docs: GetMediaDocument[] = [];
  let p = 0;
  while (p < buf.length) {
    try {
      const { doc, end } = parseDocument(buf, p);
      docs.push(doc);
      p = end;
    } catch (error) {
      if (partial) break;
      throw error;
    }
  }
  return docs;
}

export function kvsTags(doc: GetMediaDocument): Map<string, string> {
  const tags = new Map<string, string>();
  for (const group of doc.tagGroups) {
    for (const [name, value] of group)
      if (name.startsWith("AWS_KINESISVIDEO")) tags.set(name, value);
  }
  return tags;
}

export const fragmentNumberOf = (doc: GetMediaDocument): string | undefined =>
  kvsTags(doc).get("AWS_KINESISVIDEO_FRAGMENT_NUMBER");

/** Whether a GetMedia document carries exactly `cluster`, byte for byte. */
export const carriesCluster = (doc: GetMediaDocument, cluster: Uint8Array | undefined): boolean =>
  cluster !== undefined && Buffer.from(doc.cluster ?? []).equals(Buffer.from(cluster));

/** Counts complete fragments (documents whose closing tags arrived) in GetMedia bytes so far. */
export function completeFragments(buf: Uint8Array): number {
  const marker = new TextEncoder().encode("AWS_KINESISVIDEO_CONTINUATION_TOKEN");
  let count = 0;
  outer: for (let i = 0; i + marker.length <= buf.length; i++) {
    for (let j = 0; j < marker.length; j++) if (buf[i + j] !== marker[j]) continue outer;
    count++;
  }
  return count;
}

// ---- building: synthetic GetMedia documents for the reader tests ----

const text = new TextEncoder();

export interface BlockSpec {
  track?: number;
  rel: number;
  key?: boolean;
  payload?: number;
}

export interface DocumentSpec {
  pre?: [string, string][];
  clusterTimecode?: number;
  blocks?: BlockSpec[];
  post?: [string, string][];
  /** Size-field width for every element whose size fits in it (1-8); smallest width otherwise. */
  sizeWidth?: number;
  unknownSizeCluster?: boolean;
  /** Declare a second track, A_AAC (blocks choose their track with BlockSpec.track). */
  audioTrack?: boolean;
}

export function documentBytes(spec: DocumentSpec): Uint8Array {
  const w = spec.sizeWidth;
  const el = (id: number, payload: Uint8Array | Uint8Array[]) => {
    const body = payload instanceof Uint8Array ? payload : concatBytes(payload);
    const fits = w !== undefined && body.length <= 2 ** (7 * w) - 2;
    return element(id, body, fits ? w : undefined);
  };
  const tags = (pairs: [string, string][]) =>
    el(ID.Tags, [
      el(
        ID.Tag,
        pairs.map(([n, v]) =>
          el(ID.SimpleTag, [el(ID.TagName, text.encode(n)), el(ID.TagString, text.encode(v))]),
        ),
      ),
    ]);
  const parts: Uint8Array[] = [
    el(ID.EBML, [stringElement(ID.DocType, "matroska")]),
    encodeId(ID.Segment),
    UNKNOWN_SIZE_8,
    el(ID.Info, [uintElement(ID.TimecodeScale, 1_000_000)]),
    el(ID.Tracks, [
      el(ID.TrackEntry, [
        uintElement(ID.TrackNumber, 1),
        uintElement(ID.TrackType, 1),
        stringElement(ID.CodecID, "V_MPEG4/ISO/AVC"),
        el(ID.CodecPrivate, new Uint8Array(20)),
      ]),
      ...(spec.audioTrack
        ? [
            el(ID.TrackEntry, [
              uintElement(ID.TrackNumber, 2),
              uintElement(ID.TrackType, 2),
              stringElement(ID.CodecID, "A_AAC"),
              el(ID.CodecPrivate, new Uint8Array(2)),
            ]),
          ]
        : []),
    ]),
  ];
  if (spec.pre) parts.push(tags(spec.pre));
  if (spec.blocks) {
    const blocks = spec.blocks.map((b) => {
      const header = new Uint8Array(3);
      new DataView(header.buffer).setInt16(0, b.rel);
      header[2] = b.key ? 0x80 : 0;
      const track = encodeSize(b.track ?? 1);
      return el(ID.SimpleBlock, [track, header, new Uint8Array(b.payload ?? 100).fill(0xa3)]);
    });
    const body = concatBytes([uintElement(ID.Timecode, spec.clusterTimecode ?? 0), ...blocks]);
    parts.push(
      spec.unknownSizeCluster
        ? concatBytes([encodeId(ID.Cluster), UNKNOWN_SIZE_8, body])
        : el(ID.Cluster, body),
    );
  }
  if (spec.post) parts.push(tags(spec.post));
  return concatBytes(parts);
}

export const FN = "AWS_KINESISVIDEO_FRAGMENT_NUMBER";
export const ST = "AWS_KINESISVIDEO_SERVER_TIMESTAMP";
export const PT = "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP";
export const MBN = "AWS_KINESISVIDEO_MILLIS_BEHIND_NOW";
export const CT = "AWS_KINESISVIDEO_CONTINUATION_TOKEN";
export const EC = "AWS_KINESISVIDEO_ERROR_CODE";
export const EI = "AWS_KINESISVIDEO_ERROR_ID";

/** A complete synthetic fragment: 30 blocks at 33 ms, one keyframe. */
export function fragmentDocument(
  n: string,
  serverTs: string,
  options: Partial<DocumentSpec> = {},
): Uint8Array {
  return documentBytes({
    pre: [
      [FN, n],
      [ST, serverTs],
      [PT, serverTs],
    ],
    blocks: Array.from({ length: 30 }, (_, i) => ({ rel: i * 33, key: i === 0 })),
    post: [
      [MBN, "100"],
      [CT, n],
    ],
    ...options,
  });
}

// ---- building: producer MKVs from the demo sample ----

export interface SampleCluster {
  /** Cluster Timecode in ms (the sample's TimecodeScale is 1 ms). */
  timecode: number;
  /** SimpleBlock elements as stored, in order. */
  blocks: Uint8Array[];
  /** Frames of track 1 (video) and track 2 (audio). */
  videoFrames: number;
  audioFrames: number;
}

export interface DemoSample {
  bytes: Uint8Array;
  /** The EBML header element. */
  ebml: Uint8Array;
  /** TrackEntry payload parts of the video (1) and audio (2) tracks. */
  videoCodecPrivate: Uint8Array;
  audioCodecPrivate: Uint8Array;
  clusters: SampleCluster[];
}

let cached: DemoSample | undefined;

function codecPrivateOf(bytes: Uint8Array, trackEntry: Element) {
  for (const c of children(bytes, trackEntry)) {
    if (c.id === ID.CodecPrivate) return bytes.slice(c.dataStart, c.end);
  }
  throw new Error("no CodecPrivate");
}

export function demoSample(): DemoSample {
  if (cached) return cached;
  const bytes = new Uint8Array(readFileSync(DEMO_SAMPLE_PATH));
  const ebmlHeader = readElement(bytes, 0);
  const segment = readElement(bytes, ebmlHeader.end);
  if (ebmlHeader.id !== ID.EBML || segment.id !== ID.Segment) {
    throw new Error("demo sample is not Matroska");
  }
  const clusters: SampleCluster[] = [];
  const privates: Uint8Array[] = [];
  for (const child of children(bytes, segment)) {
    if (child.id === ID.Tracks) {
      for (const entry of children(bytes, child)) {
        if (entry.id === ID.TrackEntry) privates.push(codecPrivateOf(bytes, entry));
      }
    }
    if (child.id !== ID.Cluster) continue;
    const cluster = bytes.subarray(child.start, child.end);
    const layout = readClusterBlocks(cluster);
    clusters.push({
      timecode: layout.timecode,
      blocks: layout.ranges.map(([s, e]) => cluster.slice(s, e)),
      videoFrames: layout.framesByTrack.get(1) ?? 0,
      audioFrames: layout.framesByTrack.get(2) ?? 0,
    });
  }
  const [videoCodecPrivate, audioCodecPrivate] = privates;
  if (!videoCodecPrivate || !audioCodecPrivate) throw new Error("demo sample lacks tracks");
  cached = {
    bytes,
    ebml: bytes.slice(ebmlHeader.start, ebmlHeader.end),
    videoCodecPrivate,
    audioCodecPrivate,
    clusters,
  };
  return cached;
}

/** Track number of a SimpleBlock element (1-byte track VINT, as the sample has). */
export function blockTrack(block: Uint8Array): number {
  return readUint(block, readElement(block, 0).dataStart, 1) & 0x7f;
}

/** Whether a SimpleBlock element has its key flag set. */
export function blockIsKey(block: Uint8Array): boolean {
  return ((block[readElement(block, 0).dataStart + 3] as number) & 0x80) !== 0;
}

export interface TrackSpec {
  number: number;
  type: 1 | 2;
  codecId: string;
  codecPrivate?: Uint8Array;
}

export function demoTracks(): TrackSpec[] {
  const sample = demoSample();
  return [
    { number: 1, type: 1, codecId: "V_MPEG4/ISO/AVC", codecPrivate: sample.videoCodecPrivate },
    { number: 2, type: 2, codecId: "A_AAC", codecPrivate: sample.audioCodecPrivate },
  ];
}

function trackEntry(track: TrackSpec): Uint8Array {
  const parts = [
    uintElement(ID.TrackNumber, track.number),
    uintElement(0x73c5, track.number), // TrackUID
    uintElement(ID.TrackType, track.type),
    stringElement(ID.CodecID, track.codecId),
  ];
  if (track.codecPrivate) parts.push(element(ID.CodecPrivate, track.codecPrivate));
  if (track.type === 1) {
    parts.push(
      element(ID.Video, [uintElement(ID.PixelWidth, 320), uintElement(ID.PixelHeight, 240)]),
    );
  } else {
    const rate = new Uint8Array(8);
    new DataView(rate.buffer).setFloat64(0, 44100);
    parts.push(
      element(ID.Audio, [element(ID.SamplingFrequency, rate), uintElement(ID.Channels, 1)]),
    );
  }
  return element(ID.TrackEntry, parts);
}

export interface BuiltCluster {
  timecode: number;
  blocks: Uint8Array[];
}

/**
 * A producer MKV as the KVS producer SDK streams it: unknown-size Segment, Info with a 1 ms
 * TimecodeScale, the given tracks, then known-size Clusters.
 */
export function buildMkv(tracks: TrackSpec[], clusters: BuiltCluster[]): Uint8Array {
  const info = element(ID.Info, [
    uintElement(ID.TimecodeScale, 1_000_000),
    stringElement(0x4d80, "kvs-local clip tests"), // MuxingApp
    stringElement(0x5741, "kvs-local clip tests"), // WritingApp
  ]);
  const parts = [
    demoSample().ebml,
    encodeId(ID.Segment),
    UNKNOWN_SIZE_8,
    info,
    element(ID.Tracks, tracks.map(trackEntry)),
  ];
  for (const cluster of clusters) {
    parts.push(
      element(ID.Cluster, [uintElement(ID.Timecode, cluster.timecode), ...cluster.blocks]),
    );
  }
  return concatBytes(parts);
}

/**
 * `count` one-frame Clusters (a video key frame each, taken from the sample's GOP starts) spaced
 * `spacingMs` apart from timecode `firstTimecode`.
 */
export function keyframeClusters(
  count: number,
  spacingMs: number,
  firstTimecode = 0,
): BuiltCluster[] {
  const keyframes = demoSample()
    .clusters.map((c) => c.blocks.find((b) => blockTrack(b) === 1 && blockIsKey(b)))
    .filter((b): b is Uint8Array => b !== undefined)
    .map(zeroBlockTimecode);
  return Array.from({ length: count }, (_, i) => ({
    timecode: firstTimecode + i * spacingMs,
    blocks: [keyframes[i % keyframes.length] as Uint8Array],
  }));
}

/** A copy of a SimpleBlock element (1-byte track number) with another relative timecode. */
export function withBlockTimecode(block: Uint8Array, timecode: number): Uint8Array {
  const copy = block.slice();
  new DataView(copy.buffer, copy.byteOffset).setInt16(readElement(copy, 0).dataStart + 1, timecode);
  return copy;
}

/** A copy of a SimpleBlock element whose relative timecode is 0. */
export function zeroBlockTimecode(block: Uint8Array): Uint8Array {
  return withBlockTimecode(block, 0);
}

/** The sample's Clusters, re-timed to start at `firstTimecode` (keeping their spacing). */
export function sampleClusters(firstTimecode = 0): BuiltCluster[] {
  const sample = demoSample();
  const origin = sample.clusters[0]?.timecode ?? 0;
  return sample.clusters.map((c) => ({
    timecode: firstTimecode + c.timecode - origin,
    blocks: c.blocks,
  }));
}

/**
 * A producer MKV whose Clusters are `clusterBytes` large each (about): a key frame from the demo
 * sample, then filler SimpleBlocks of 256 KiB on track 1. For memory limits: kvs-local holds a
 * Cluster whole until it is stored.
 */
export function largeClusterMkv(clusterBytes: number, clusters = 1, spacingMs = 1000): Uint8Array {
  const [keyframe] = keyframeClusters(1, 0)[0]?.blocks ?? [];
  if (!keyframe) throw new Error("the demo sample has no key frame");
  const fillerPayload = 256 * 1024;
  const filler = element(ID.SimpleBlock, [
    new Uint8Array([0x81, 0, 0, 0]), // track 1, relative timecode 0, not a key frame
    new Uint8Array(fillerPayload),
  ]);
  const fillers = Math.max(0, Math.ceil((clusterBytes - keyframe.length) / filler.length));
  const blocks = [keyframe, ...Array.from({ length: fillers }, () => filler)];
  return buildMkv(
    demoTracks(),
    Array.from({ length: clusters }, (_, i) => ({ timecode: i * spacingMs, blocks })),
  );
}
