// Reads a stored Cluster's blocks without decoding them: which bytes to carry into a clip
// document and how many frames each track holds (laced blocks hold several).

import { ebmlChildren } from "../ebml/children.ts";
import { EbmlError, ID, readUint } from "../ebml/primitives.ts";
import { blankBlockHeader, readBlockHeader } from "./block-header.ts";

export interface ClusterBlocks {
  /** The Cluster's Timecode in TimecodeScale ticks (0 when absent). */
  timecode: number;
  /** [start, end) of every SimpleBlock and BlockGroup element, in stream order. */
  ranges: Array<readonly [number, number]>;
  /** Frames per track number. */
  framesByTrack: Map<number, number>;
}

function countBlockFrames(buf: Uint8Array, dataStart: number, end: number): [number, number] {
  const header = blankBlockHeader();
  if (!readBlockHeader(buf, dataStart, end - dataStart, header)) {
    throw new EbmlError("block shorter than its header or without a valid track number", dataStart);
  }
  if (header.track < 1) throw new EbmlError("invalid block track number", dataStart);
  if (header.frames === 0) throw new EbmlError("laced block without a frame count", dataStart);
  return [header.track, header.frames];
}

/** Throws EbmlError when the Cluster or one of its blocks is malformed. */
export function readClusterBlocks(cluster: Uint8Array): ClusterBlocks {
  const outer = ebmlChildren(cluster, 0, cluster.length).next();
  if (outer.done || outer.value.id !== ID.Cluster) throw new EbmlError("not a Cluster", 0);
  const result: ClusterBlocks = { timecode: 0, ranges: [], framesByTrack: new Map() };
  const count = (track: number, frames: number) =>
    result.framesByTrack.set(track, (result.framesByTrack.get(track) ?? 0) + frames);

  for (const child of ebmlChildren(cluster, outer.value.dataStart, outer.value.end)) {
    if (child.id === ID.Timecode) {
      result.timecode = readUint(cluster, child.dataStart, child.end - child.dataStart);
    } else if (child.id === ID.SimpleBlock) {
      count(...countBlockFrames(cluster, child.dataStart, child.end));
      result.ranges.push([child.start, child.end]);
    } else if (child.id === ID.BlockGroup) {
      let block = false;
      for (const part of ebmlChildren(cluster, child.dataStart, child.end)) {
        if (part.id !== ID.Block) continue;
        count(...countBlockFrames(cluster, part.dataStart, part.end));
        block = true;
      }
      if (!block) throw new EbmlError("BlockGroup without a Block", child.start);
      result.ranges.push([child.start, child.end]);
    }
  }
  return result;
}
