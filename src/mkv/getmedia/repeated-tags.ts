// Remembers producer Tags elements by their bytes. A producer's own tags are usually written the
// same way into every fragment, so on tag-dense streams most Tags elements repeat one seen a few
// fragments earlier: a byte compare then replaces parsing and decoding them. Tags holding
// AWS_KINESISVIDEO_* tags are not remembered: their values change with every fragment.
import { mixedSlot } from "./tag-text-cache.ts";

/** What a plain Tags body gave: its named SimpleTags, and the tag budget it spends. */
export interface ParsedTags {
  readonly names: readonly string[];
  readonly values: readonly (string | null)[];
  readonly tagBytes: number;
}

/** A power of two; with MAX_BODY_BYTES this bounds the memory to a few KiB per reader. */
const SLOTS = 32;
/**
 * Larger bodies are neither looked up nor remembered. KVS's own Tags carry 47-digit fragment
 * numbers and exceed this, so they are not hashed only to miss; short producer Tags fit.
 */
const MAX_BODY_BYTES = 128;

export class RepeatedTags {
  private readonly bodies: (Uint8Array | null)[] = new Array<Uint8Array | null>(SLOTS).fill(null);
  private readonly parsed: (ParsedTags | null)[] = new Array<ParsedTags | null>(SLOTS).fill(null);

  /** The remembered parse of a Tags body equal to buf[offset, offset + length), or null. */
  find(buf: Uint8Array, offset: number, length: number): ParsedTags | null {
    if (length > MAX_BODY_BYTES) return null;
    const slot = slotOf(buf, offset, length);
    const known = this.bodies[slot];
    if (known === null || known === undefined || known.length !== length) return null;
    for (let i = 0; i < length; i++) if (known[i] !== buf[offset + i]) return null;
    return this.parsed[slot] ?? null;
  }

  remember(buf: Uint8Array, offset: number, length: number, parsed: ParsedTags): void {
    if (length > MAX_BODY_BYTES) return;
    const slot = slotOf(buf, offset, length);
    this.bodies[slot] = buf.slice(offset, offset + length);
    this.parsed[slot] = parsed;
  }
}

/** FNV-1a over every byte: look-alike tags ("testTag_0", "testTag_1") differ in one or two. */
function slotOf(buf: Uint8Array, offset: number, length: number): number {
  let hash = 0x811c9dc5;
  const end = offset + length;
  for (let i = offset; i < end; i++) hash = Math.imul(hash ^ (buf[i] as number), 0x01000193);
  return mixedSlot(hash, SLOTS);
}
