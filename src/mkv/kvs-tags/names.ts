// The AWS_KINESISVIDEO_* tag names KVS writes around each fragment of GetMedia output, and their
// recognition while still bytes: they are most of the tag text, so the reader skips decoding
// them and gets back the one shared string per name, which later comparisons check cheaply.

/** Every tag KVS itself writes starts with this; producers' own tags don't. */
export const AWS_TAG_PREFIX = "AWS_KINESISVIDEO_";

export const KVS_TAG = {
  FragmentNumber: "AWS_KINESISVIDEO_FRAGMENT_NUMBER",
  ServerTimestamp: "AWS_KINESISVIDEO_SERVER_TIMESTAMP",
  ProducerTimestamp: "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP",
  MillisBehindNow: "AWS_KINESISVIDEO_MILLIS_BEHIND_NOW",
  ContinuationToken: "AWS_KINESISVIDEO_CONTINUATION_TOKEN",
  ErrorCode: "AWS_KINESISVIDEO_ERROR_CODE",
  ErrorId: "AWS_KINESISVIDEO_ERROR_ID",
} as const;

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
