// Recognises the AWS_KINESISVIDEO_* tag names KVS writes while they are still bytes. They are
// most of the tag text in GetMedia output, so the reader skips decoding them, and it gets back
// the one shared string per name, which later comparisons check cheaply.
import { KVS_TAG } from "./writer.ts";

const encoder = new TextEncoder();
const KNOWN_NAMES = Object.values(KVS_TAG).map((name) => ({ name, bytes: encoder.encode(name) }));
const SHORTEST = Math.min(...KNOWN_NAMES.map((known) => known.bytes.length));
const LONGEST = Math.max(...KNOWN_NAMES.map((known) => known.bytes.length));

/** The KVS tag name held in `length` bytes at `offset`, or null for any other name. */
export function knownKvsTagName(buf: Uint8Array, offset: number, length: number): string | null {
  if (length < SHORTEST || length > LONGEST) return null;
  for (const known of KNOWN_NAMES) {
    if (known.bytes.length !== length) continue;
    // From the end: the names share their first 17 bytes ("AWS_KINESISVIDEO_").
    let i = length - 1;
    while (i >= 0 && buf[offset + i] === known.bytes[i]) i--;
    if (i < 0) return known.name;
  }
  return null;
}
