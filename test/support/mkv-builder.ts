// Builds producer MKVs for the clip tests from the bundled demo sample's blocks: many short
// Clusters, chosen timecodes, other codec IDs or broken codec private data, cheaply and in memory.
import { readFileSync } from "node:fs";
import path from "node:path";
import { ebmlChildren } from "../../src/mkv/ebml/children.ts";
import {
  concatBytes,
  element,
  ID,
  readUint,
  stringElement,
  UNKNOWN_SIZE_8,
  uintElement,
} from "../../src/mkv/ebml/primitives.ts";
import { readClusterBlocks } from "../../src/mkv/matroska/cluster-blocks.ts";

export const DEMO_SAMPLE = path.resolve(import.meta.dirname, "../../assets/demo-sample.mkv");

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

function codecPrivateOf(bytes: Uint8Array, trackEntryStart: number, trackEntryEnd: number) {
  for (const c of ebmlChildren(bytes, trackEntryStart, trackEntryEnd)) {
    if (c.id === ID.CodecPrivate) return bytes.slice(c.dataStart, c.end);
  }
  throw new Error("no CodecPrivate");
}

export function demoSample(): DemoSample {
  if (cached) return cached;
  const bytes = new Uint8Array(readFileSync(DEMO_SAMPLE));
  const top = [...ebmlChildren(bytes, 0, bytes.length, true)];
  const ebmlHeader = top.find((c) => c.id === ID.EBML);
  const segment = top.find((c) => c.id === ID.Segment);
  if (!ebmlHeader || !segment) throw new Error("demo sample is not Matroska");
  const clusters: SampleCluster[] = [];
  const privates: Uint8Array[] = [];
  for (const child of ebmlChildren(bytes, segment.dataStart, segment.end, true)) {
    if (child.id === ID.Tracks) {
      for (const entry of ebmlChildren(bytes, child.dataStart, child.end)) {
        if (entry.id === ID.TrackEntry)
          privates.push(codecPrivateOf(bytes, entry.dataStart, entry.end));
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
  for (const c of ebmlChildren(block, 0, block.length)) {
    return readUint(block, c.dataStart, 1) & 0x7f;
  }
  return 0;
}

/** Whether a SimpleBlock element has its key flag set. */
export function blockIsKey(block: Uint8Array): boolean {
  for (const c of ebmlChildren(block, 0, block.length)) {
    return ((block[c.dataStart + 3] as number) & 0x80) !== 0;
  }
  return false;
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
    Uint8Array.of(0x18, 0x53, 0x80, 0x67),
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
  for (const c of ebmlChildren(copy, 0, copy.length)) {
    new DataView(copy.buffer, copy.byteOffset).setInt16(c.dataStart + 1, timecode);
  }
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
