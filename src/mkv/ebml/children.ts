// Walks the direct children of an EBML master held in memory (a stored header or Cluster).
import { EbmlError, readId, readSize, UNKNOWN_SIZE } from "./primitives.ts";

export interface EbmlChild {
  id: number;
  /** Offset of the element's ID. */
  start: number;
  /** Offset of the element's payload. */
  dataStart: number;
  /** Offset just past the element (the range end for an unknown-size element). */
  end: number;
  unknownSize: boolean;
}

/**
 * The elements laid end to end in `buf[from, to)`. An unknown-size element runs to `to`: in the
 * documents read here (one header, one Cluster) only the outermost masters have unknown sizes.
 * An element that claims more bytes than the range holds throws, unless `clampLast` is set
 * (a stored header may end inside a Segment whose size counts the Clusters after it).
 */
export function* ebmlChildren(
  buf: Uint8Array,
  from: number,
  to: number,
  clampLast = false,
): Generator<EbmlChild> {
  let at = from;
  while (at < to) {
    const id = readId(buf, at);
    if (!id || at + id.length >= to) throw new EbmlError("truncated element header", at);
    const size = readSize(buf, at + id.length);
    if (!size) throw new EbmlError("truncated element size", at);
    const dataStart = at + id.length + size.length;
    const unknownSize = size.value === UNKNOWN_SIZE;
    let end = unknownSize ? to : dataStart + size.value;
    if (end > to) {
      if (!clampLast) throw new EbmlError("element runs past its parent", at);
      end = to;
    }
    yield { id: id.value, start: at, dataStart, end, unknownSize };
    at = end;
  }
}

/** The first child with `id`, if any. */
export function findChild(
  buf: Uint8Array,
  from: number,
  to: number,
  id: number,
): EbmlChild | undefined {
  for (const child of ebmlChildren(buf, from, to)) if (child.id === id) return child;
  return undefined;
}
