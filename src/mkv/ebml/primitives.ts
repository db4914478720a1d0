// EBML primitives shared by the streaming readers and the writer.
// Spec: RFC 8794 (EBML) and the Matroska element table.

/** Element IDs used by KVS producers and GetMedia output (IDs keep their marker bits). */
export const ID = {
  EBML: 0x1a45dfa3,
  DocType: 0x4282,
  Segment: 0x18538067,
  SeekHead: 0x114d9b74,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  Duration: 0x4489,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackType: 0x83,
  CodecID: 0x86,
  CodecPrivate: 0x63a2,
  DefaultDuration: 0x23e383,
  Video: 0xe0,
  PixelWidth: 0xb0,
  PixelHeight: 0xba,
  Audio: 0xe1,
  SamplingFrequency: 0xb5,
  Channels: 0x9f,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
  BlockGroup: 0xa0,
  Block: 0xa1,
  BlockDuration: 0x9b,
  ReferenceBlock: 0xfb,
  Cues: 0x1c53bb6b,
  Chapters: 0x1043a770,
  Attachments: 0x1941a469,
  Tags: 0x1254c367,
  Tag: 0x7373,
  Targets: 0x63c0,
  SimpleTag: 0x67c8,
  TagName: 0x45a3,
  TagString: 0x4487,
  Void: 0xec,
  CRC32: 0xbf,
} as const;

/** Marks a master element whose size field is all ones ("unknown"). */
export const UNKNOWN_SIZE = -1;

/** Largest EBML size we accept as a number (2^53 - 1 is exact in a double). */
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Why MKV input was refused: it ended inside an element ("truncated"), an element is larger than
 * the reader accepts ("too-large"), or the bytes are not valid EBML/Matroska ("corrupt").
 */
export type MkvErrorReason = "truncated" | "corrupt" | "too-large";

export class EbmlError extends Error {
  readonly offset: number;
  readonly reason: MkvErrorReason;

  constructor(message: string, offset: number, reason: MkvErrorReason = "corrupt") {
    super(`${message} at byte ${offset}`);
    this.offset = offset;
    this.reason = reason;
    this.name = "EbmlError";
  }
}

export interface Vint {
  /** Decoded value: an ID keeps its marker bits, a size loses them (UNKNOWN_SIZE when all ones). */
  value: number;
  /** Bytes the VINT occupies (1-8). */
  length: number;
}

/** Width of the VINT that starts with `first`, 0 when the byte is invalid (0x00). */
export function vintWidth(first: number): number {
  return first === 0 ? 0 : Math.clz32(first) - 23;
}

/**
 * Reads an element ID at `offset`; null when `buf` ends before the ID does.
 * IDs are 1-4 bytes; wider markers are corrupt input.
 */
export function readId(buf: Uint8Array, offset: number): Vint | null {
  if (offset >= buf.length) return null;
  const first = buf[offset] as number;
  const length = vintWidth(first);
  if (length === 0 || length > 4) throw new EbmlError("invalid element ID", offset);
  if (offset + length > buf.length) return null;
  let value = 0;
  for (let i = 0; i < length; i++) value = value * 256 + (buf[offset + i] as number);
  return { value, length };
}

/** Reads an element data size at `offset`; null when `buf` ends before the size does. */
export function readSize(buf: Uint8Array, offset: number): Vint | null {
  if (offset >= buf.length) return null;
  const first = buf[offset] as number;
  const length = vintWidth(first);
  if (length === 0) throw new EbmlError("invalid size VINT", offset);
  if (offset + length > buf.length) return null;
  let value = first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const b = buf[offset + i] as number;
    if (b !== 0xff) allOnes = false;
    value = value * 256 + b;
  }
  if (allOnes) return { value: UNKNOWN_SIZE, length };
  if (value > MAX_SAFE) throw new EbmlError("element size too large", offset);
  return { value, length };
}

/** Reads an unsigned big-endian integer payload (0-8 bytes). */
export function readUint(buf: Uint8Array, offset: number, length: number): number {
  let value = 0;
  for (let i = 0; i < length; i++) value = value * 256 + (buf[offset + i] as number);
  return value;
}

/** Reads a signed big-endian integer payload (0-8 bytes). */
export function readInt(buf: Uint8Array, offset: number, length: number): number {
  if (length === 0) return 0;
  const unsigned = readUint(buf, offset, length);
  const negative = ((buf[offset] as number) & 0x80) !== 0;
  return negative ? unsigned - 2 ** (8 * length) : unsigned;
}

/** Reads a float payload (4 or 8 bytes; 0 bytes means 0). */
export function readFloat(buf: Uint8Array, offset: number, length: number): number {
  const view = new DataView(buf.buffer, buf.byteOffset + offset, length);
  if (length === 4) return view.getFloat32(0);
  if (length === 8) return view.getFloat64(0);
  return 0;
}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");

/** Up to this many bytes, building an ASCII string by hand is faster than a TextDecoder call. */
const SHORT_TEXT_BYTES = 16;

function decodeText(decoder: TextDecoder, buf: Uint8Array, offset: number, length: number): string {
  if (length <= SHORT_TEXT_BYTES) {
    let text = "";
    for (let i = offset; i < offset + length; i++) {
      const byte = buf[i] as number;
      if (byte >= 0x80) return decoder.decode(buf.subarray(offset, offset + length));
      text += String.fromCharCode(byte);
    }
    return text;
  }
  return decoder.decode(buf.subarray(offset, offset + length));
}

/** Reads a string payload, dropping the NUL padding that EBML allows at the end. */
export function readString(buf: Uint8Array, offset: number, length: number, isUtf8 = true): string {
  let end = offset + length;
  while (end > offset && buf[end - 1] === 0) end--;
  return decodeText(isUtf8 ? utf8 : latin1, buf, offset, end - offset);
}

/** Decodes UTF-8 as sent (NULs kept). */
export function decodeUtf8(buf: Uint8Array, offset: number, length: number): string {
  return decodeText(utf8, buf, offset, length);
}

// ---- writing ----

/** Encodes an element ID (already carrying its marker bits). */
export function encodeId(id: number): Uint8Array {
  const length = id >= 0x1000000 ? 4 : id >= 0x10000 ? 3 : id >= 0x100 ? 2 : 1;
  const out = new Uint8Array(length);
  let v = id;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  return out;
}

/** Encodes a data size in the smallest width, or `width` bytes when given (1-8). */
export function encodeSize(size: number, width?: number): Uint8Array {
  let length = width ?? 1;
  if (width === undefined) {
    // A width-n VINT holds values up to 2^(7n) - 2 (all ones is reserved for "unknown").
    while (size > 2 ** (7 * length) - 2) length++;
  } else if (size > 2 ** (7 * length) - 2) {
    throw new RangeError(`size ${size} does not fit in ${width} bytes`);
  }
  const out = new Uint8Array(length);
  let v = size;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  out[0] = (out[0] as number) | (0x80 >> (length - 1));
  return out;
}

/** The 8-byte "unknown size" marker that KVS writes for GetMedia Segments. */
export const UNKNOWN_SIZE_8 = Uint8Array.of(0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A complete element: ID, size (optionally fixed width) and payload. */
export function element(
  id: number,
  payload: Uint8Array | readonly Uint8Array[],
  sizeWidth?: number,
): Uint8Array {
  const body = payload instanceof Uint8Array ? payload : concat(payload);
  return concat([encodeId(id), encodeSize(body.length, sizeWidth), body]);
}

export function uintElement(id: number, value: number): Uint8Array {
  const bytes: number[] = [];
  let v = value;
  do {
    bytes.unshift(v % 256);
    v = Math.floor(v / 256);
  } while (v > 0);
  return element(id, Uint8Array.from(bytes));
}

export function stringElement(id: number, value: string): Uint8Array {
  return element(id, new TextEncoder().encode(value));
}

export { concat as concatBytes };
