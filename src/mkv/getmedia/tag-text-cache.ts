// Decodes the text of producer (non-AWS) tags, remembering recent names and values: a producer's
// tags repeat in every fragment (same names, usually the same values), and checking a few bytes
// against a remembered copy is several times cheaper than building a new string, and leaves
// nothing for the garbage collector. The AWS_KINESISVIDEO_* values (fragment numbers, timestamps)
// change with every fragment, so the reader decodes those directly.
import { decodeUtf8 } from "../ebml/primitives.ts";

/** A power of two. With MAX_CACHED_BYTES this bounds the cache to a few KiB per reader. */
const SLOTS = 64;
const MAX_CACHED_BYTES = 64;

export class TagTextCache {
  private readonly bytes: (Uint8Array | null)[] = new Array<Uint8Array | null>(SLOTS).fill(null);
  private readonly texts: string[] = new Array<string>(SLOTS).fill("");

  /** The UTF-8 text of `length` bytes at `offset`, as sent (NULs kept). */
  decode(buf: Uint8Array, offset: number, length: number): string {
    if (length > MAX_CACHED_BYTES) return decodeUtf8(buf, offset, length);
    const end = offset + length;
    // FNV-1a over the bytes picks the slot (direct-mapped: a collision replaces the entry).
    let hash = 0x811c9dc5;
    for (let i = offset; i < end; i++) hash = Math.imul(hash ^ (buf[i] as number), 0x01000193);
    const slot = mixedSlot(hash, SLOTS);
    const known = this.bytes[slot];
    if (known !== null && known !== undefined && known.length === length) {
      let i = 0;
      while (i < length && known[i] === buf[offset + i]) i++;
      if (i === length) return this.texts[slot] as string;
    }
    const text = decodeUtf8(buf, offset, length);
    this.bytes[slot] = buf.slice(offset, end);
    this.texts[slot] = text;
    return text;
  }
}

/**
 * A slot in a table of `slots` (a power of two) for an FNV-1a hash. FNV's low bits barely change
 * between texts that differ in one digit, so they are mixed first (MurmurHash3's finaliser).
 */
export function mixedSlot(hash: number, slots: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) & (slots - 1);
}
