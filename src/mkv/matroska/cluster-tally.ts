// Counts one Cluster's blocks and keyframes and works out where its last frame ends, from the block
// headers alone (payloads are skipped).
import { ID, readUint } from "../ebml/primitives.ts";
import { type Action, BLOCK, DESCEND, READ, SKIP } from "../ebml/scanner.ts";
import { blankBlockHeader, KEYFRAME_FLAG, readBlockHeader } from "./block-header.ts";

/** Frames and key frames of one track. */
export interface TrackBlockCounts {
  blocks: number;
  keyframes: number;
}

interface TrackTimes extends TrackBlockCounts {
  min: number;
  max: number;
}

export class ClusterTally {
  timecode = 0;
  blockCount = 0;
  keyframeCount = 0;
  private readonly times = new Map<number, TrackTimes>();
  private groupHasReference = false;
  /** The track of the Block inside the open BlockGroup (its key-frame status is known at its end). */
  private groupTrack: TrackTimes | null = null;
  private readonly header = blankBlockHeader();

  reset(): void {
    this.timecode = 0;
    this.blockCount = 0;
    this.keyframeCount = 0;
    for (const t of this.times.values()) {
      t.blocks = 0;
      t.keyframes = 0;
    }
  }

  /**
   * Frames and key frames per track number (0 blocks: a track seen in an earlier cluster only).
   * The live counters, not a copy: read them before the next reset().
   */
  get trackCounts(): ReadonlyMap<number, Readonly<TrackBlockCounts>> {
    return this.times;
  }

  /** The action for an element under Cluster/BlockGroup, or null when it is not ours. */
  element(id: number, parent: number): Action | null {
    if (parent === ID.Cluster) {
      switch (id) {
        case ID.Timecode:
          return READ;
        case ID.SimpleBlock:
          return BLOCK;
        case ID.BlockGroup:
          this.groupHasReference = false;
          this.groupTrack = null;
          return DESCEND;
        default:
          return SKIP;
      }
    }
    if (parent === ID.BlockGroup) {
      if (id === ID.Block) return BLOCK;
      if (id === ID.ReferenceBlock) this.groupHasReference = true;
      return SKIP;
    }
    return null;
  }

  leaf(id: number, buf: Uint8Array, offset: number, length: number): boolean {
    if (id !== ID.Timecode) return false;
    this.timecode = readUint(buf, offset, length);
    return true;
  }

  /** Takes the first bytes of a SimpleBlock or Block (fewer when the input was cut off). */
  block(id: number, buf: Uint8Array, offset: number, length: number): void {
    this.blockCount++;
    const header = this.header;
    if (!readBlockHeader(buf, offset, length, header)) return;
    const rel = header.relativeTimecode;
    let t = this.times.get(header.track);
    if (t === undefined) {
      t = { blocks: 0, keyframes: 0, min: 0, max: 0 };
      this.times.set(header.track, t);
    }
    if (id === ID.SimpleBlock && (header.flags & KEYFRAME_FLAG) !== 0) {
      this.keyframeCount++;
      t.keyframes++;
    }
    if (id === ID.Block) this.groupTrack = t;
    if (t.blocks === 0 || rel < t.min) t.min = rel;
    if (t.blocks === 0 || rel > t.max) t.max = rel;
    t.blocks++;
  }

  masterEnd(id: number): void {
    // A Block without a ReferenceBlock is a keyframe.
    if (id === ID.BlockGroup && !this.groupHasReference) {
      this.keyframeCount++;
      if (this.groupTrack !== null) this.groupTrack.keyframes++;
    }
  }

  /**
   * Ticks from the cluster's start to the end of its last frame: per track, the latest block time
   * plus its frame duration (DefaultDuration, else the mean gap between that track's blocks).
   */
  durationTicks(defaultDurationTicks: (track: number) => number | undefined): number {
    let end = 0;
    for (const [track, t] of this.times) {
      if (t.blocks === 0) continue;
      const frame =
        defaultDurationTicks(track) ?? (t.blocks > 1 ? (t.max - t.min) / (t.blocks - 1) : 0);
      end = Math.max(end, t.max + frame);
    }
    return Math.round(end);
  }
}
