// The video key frames of a stored fragment, and a one-frame Matroska document of one of them for
// the decoder. A fragment starts with a key frame (KVS fragments do); later key frames in it are
// found from the blocks' flags, so a sampling point maps to the nearest key frame before it.
import { ebmlChildren } from "../../../mkv/ebml/children.ts";
import { ID } from "../../../mkv/ebml/primitives.ts";
import {
  blankBlockHeader,
  KEYFRAME_FLAG,
  readBlockHeader,
} from "../../../mkv/matroska/block-header.ts";
import type { HeaderRecord } from "../../store/types.ts";
import type { ClipHeader } from "../clip/clip-header.ts";
import { clipInputDocument } from "../clip/clip-input-document.ts";

export interface KeyFrame {
  /** Milliseconds after the fragment's start. */
  offsetMs: number;
  /** [start, end) of its SimpleBlock or BlockGroup in the Cluster. */
  range: readonly [number, number];
}

/** The track GetImages decodes: the first video track. */
export function videoTrackOf(header: HeaderRecord): number | undefined {
  return header.tracks.find((track) => track.trackType === 1)?.trackNumber;
}

/** Key frames of `track` in stream order. Throws EbmlError on a malformed Cluster. */
export function keyFramesOf(
  cluster: Uint8Array,
  track: number,
  timecodeScaleNs: number,
): KeyFrame[] {
  const outer = ebmlChildren(cluster, 0, cluster.length).next();
  if (outer.done || outer.value.id !== ID.Cluster) return [];
  const header = blankBlockHeader();
  const frames: KeyFrame[] = [];
  const ticksToMs = timecodeScaleNs / 1_000_000;
  for (const child of ebmlChildren(cluster, outer.value.dataStart, outer.value.end)) {
    if (child.id === ID.SimpleBlock) {
      if (!readBlockHeader(cluster, child.dataStart, child.end - child.dataStart, header)) continue;
      if (header.track === track && (header.flags & KEYFRAME_FLAG) !== 0) {
        frames.push({
          offsetMs: header.relativeTimecode * ticksToMs,
          range: [child.start, child.end],
        });
      }
    } else if (child.id === ID.BlockGroup) {
      // A Block is a key frame when its group references no other frame.
      let block: { dataStart: number; end: number } | undefined;
      let references = false;
      for (const part of ebmlChildren(cluster, child.dataStart, child.end)) {
        if (part.id === ID.Block) block = part;
        if (part.id === ID.ReferenceBlock) references = true;
      }
      if (!block || references) continue;
      if (!readBlockHeader(cluster, block.dataStart, block.end - block.dataStart, header)) continue;
      if (header.track === track) {
        frames.push({
          offsetMs: header.relativeTimecode * ticksToMs,
          range: [child.start, child.end],
        });
      }
    }
  }
  return frames;
}

/** The last key frame at or before `offsetMs` (the first one when all come later). */
export function keyFrameAtOrBefore(
  frames: readonly KeyFrame[],
  offsetMs: number,
): KeyFrame | undefined {
  let chosen = frames[0];
  for (const frame of frames) if (frame.offsetMs <= offsetMs) chosen = frame;
  return chosen;
}

/** The producer's header and one key frame: all a decoder needs for one picture. */
export function keyFrameDocument(
  header: ClipHeader,
  cluster: Uint8Array,
  frame: KeyFrame,
): Uint8Array {
  return clipInputDocument(header, cluster, {
    timecode: 0,
    ranges: [frame.range],
    framesByTrack: new Map(),
  });
}
