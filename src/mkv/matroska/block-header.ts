// The header of a SimpleBlock or Block (Matroska §10): the track number as a VINT, the 16-bit
// signed timecode relative to the Cluster, a flags byte, then with lacing the frame count less
// one. The GetMedia reader's cluster tally and kvs-local's clip builder both read blocks from it.

/** Flags bit of a SimpleBlock holding a key frame. */
export const KEYFRAME_FLAG = 0x80;
const LACING_MASK = 0x06;

export interface BlockHeader {
  track: number;
  /** Ticks relative to the Cluster's Timecode. */
  relativeTimecode: number;
  flags: number;
  /** Frames the block holds: 1 unless laced; 0 for a laced block cut off before its count. */
  frames: number;
}

/**
 * Reads the header of the block whose payload starts at `offset` (with `length` bytes there) into
 * `into`, reused by hot callers so a block costs no allocation. False when the bytes end before
 * the flags byte or the track number is not a valid VINT.
 */
export function readBlockHeader(
  buf: Uint8Array,
  offset: number,
  length: number,
  into: BlockHeader,
): boolean {
  if (length === 0) return false;
  const b0 = buf[offset] as number;
  const trackLength = b0 === 0 ? 0 : Math.clz32(b0) - 23;
  if (trackLength === 0 || length < trackLength + 3) return false;
  let track = b0 & (0xff >> trackLength);
  for (let i = 1; i < trackLength; i++) track = track * 256 + (buf[offset + i] as number);
  const at = offset + trackLength;
  const flags = buf[at + 2] as number;
  into.track = track;
  into.relativeTimecode = (((buf[at] as number) << 24) | ((buf[at + 1] as number) << 16)) >> 16;
  into.flags = flags;
  into.frames =
    (flags & LACING_MASK) === 0 ? 1 : length > trackLength + 3 ? (buf[at + 3] as number) + 1 : 0;
  return true;
}

/** A header to pass as `into`. */
export function blankBlockHeader(): BlockHeader {
  return { track: 0, relativeTimecode: 0, flags: 0, frames: 0 };
}
