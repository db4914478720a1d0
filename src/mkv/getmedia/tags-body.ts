// Finds the SimpleTags of a whole Tags element body in one pass, when it has the plain layout that
// KVS and producers write: Tag > SimpleTag > TagName / TagString, with Targets, TagLanguage,
// TagDefault, TagBinary, Void and CRC-32 ignored. Tag-dense GetMedia output has a dozen such Tags
// per fragment, and this is several times cheaper than a scanner callback per child. Anything
// else (nested SimpleTags, unknown sizes, children overrunning their parent, invalid VINTs,
// over-size elements or values) makes scan() return false, and the caller lets the element
// scanner descend instead, which accepts or rejects it exactly as for any other input.
import { ID } from "../ebml/primitives.ts";

const TAG_LANGUAGE = 0x447a;
const TAG_LANGUAGE_BCP47 = 0x447b;
const TAG_DEFAULT = 0x4484;
const TAG_BINARY = 0x4485;

export interface TagsBodyLimits {
  /** Largest TagName / TagString the scanner would READ. */
  maxValueBytes: number;
  /** Largest element the scanner accepts. */
  maxElementBytes: number;
}

export class TagsBody {
  /** SimpleTags found by the last successful scan(). */
  count = 0;
  /** Tag budget the last scan's SimpleTags spend, counted as the reader does element by element. */
  tagBytes = 0;
  // Where each SimpleTag's (last) TagName and TagString are; -1 when it has none.
  readonly nameAt: number[] = [];
  readonly nameLength: number[] = [];
  readonly valueAt: number[] = [];
  readonly valueLength: number[] = [];
  // The element header read by header(): ID, body size, body start.
  private id = 0;
  private size = 0;
  private bodyAt = 0;

  private readonly limits: TagsBodyLimits;
  /** Budget charged per SimpleTag on top of its text. */
  private readonly tagOverhead: number;

  constructor(limits: TagsBodyLimits, tagOverhead: number) {
    this.limits = limits;
    this.tagOverhead = tagOverhead;
  }

  /** Reads the Tags body in buf[offset, offset + length); false when it is not plain. */
  scan(buf: Uint8Array, offset: number, length: number): boolean {
    this.count = 0;
    this.tagBytes = 0;
    const end = offset + length;
    let at = offset;
    while (at < end) {
      if (!this.header(buf, at, end)) return false;
      const id = this.id;
      const tagEnd = this.bodyAt + this.size;
      if (id === ID.Tag) {
        if (!this.tag(buf, this.bodyAt, tagEnd)) return false;
      } else if (id !== ID.Void && id !== ID.CRC32) return false;
      at = tagEnd;
    }
    return true;
  }

  private tag(buf: Uint8Array, from: number, end: number): boolean {
    let at = from;
    while (at < end) {
      if (!this.header(buf, at, end)) return false;
      const id = this.id;
      const childEnd = this.bodyAt + this.size;
      if (id === ID.SimpleTag) {
        if (!this.simpleTag(buf, this.bodyAt, childEnd)) return false;
      } else if (id !== ID.Targets && id !== ID.Void && id !== ID.CRC32) return false;
      at = childEnd;
    }
    return true;
  }

  private simpleTag(buf: Uint8Array, from: number, end: number): boolean {
    const i = this.count;
    let nameAt = -1;
    let nameLength = 0;
    let valueAt = -1;
    let valueLength = 0;
    this.tagBytes += this.tagOverhead;
    let at = from;
    while (at < end) {
      if (!this.header(buf, at, end)) return false;
      const id = this.id;
      if (id === ID.TagName || id === ID.TagString) {
        if (this.size > this.limits.maxValueBytes) return false;
        this.tagBytes += this.size;
        if (id === ID.TagName) {
          nameAt = this.bodyAt;
          nameLength = this.size;
        } else {
          valueAt = this.bodyAt;
          valueLength = this.size;
        }
      } else if (
        id !== TAG_LANGUAGE &&
        id !== TAG_LANGUAGE_BCP47 &&
        id !== TAG_DEFAULT &&
        id !== TAG_BINARY &&
        id !== ID.Void &&
        id !== ID.CRC32
      ) {
        return false;
      }
      at = this.bodyAt + this.size;
    }
    this.nameAt[i] = nameAt;
    this.nameLength[i] = nameLength;
    this.valueAt[i] = valueAt;
    this.valueLength[i] = valueLength;
    this.count = i + 1;
    return true;
  }

  /** Reads the header at `at`; false unless it is valid, of known size and ends by `end`. */
  private header(buf: Uint8Array, at: number, end: number): boolean {
    const b0 = buf[at] as number;
    const idLength = b0 === 0 ? 0 : Math.clz32(b0) - 23;
    if (idLength === 0 || idLength > 4 || at + idLength >= end) return false;
    let id = b0;
    for (let i = 1; i < idLength; i++) id = id * 256 + (buf[at + i] as number);
    const s0 = buf[at + idLength] as number;
    const sizeLength = s0 === 0 ? 0 : Math.clz32(s0) - 23;
    const bodyAt = at + idLength + sizeLength;
    if (sizeLength === 0 || bodyAt > end) return false;
    const mask = 0xff >> sizeLength;
    let size = s0 & mask;
    let allOnes = size === mask;
    for (let i = at + idLength + 1; i < bodyAt; i++) {
      const b = buf[i] as number;
      if (b !== 0xff) allOnes = false;
      size = size * 256 + b;
    }
    if (allOnes || size > this.limits.maxElementBytes || bodyAt + size > end) return false;
    this.id = id;
    this.size = size;
    this.bodyAt = bodyAt;
    return true;
  }
}
