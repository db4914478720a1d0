// A push-driven EBML element scanner shared by the cluster splitter and the GetMedia reader.
// It keeps only the unparsed tail of the input (an element header, a small leaf value being read,
// or a block header): element bodies the handler does not want are skipped by counting bytes,
// so block payloads are never copied. Unknown-size masters are closed by level (see levels.ts).

import { levelOf } from "./levels.ts";
import { EbmlError, ID, UNKNOWN_SIZE } from "./primitives.ts";

/** What the scanner does with an element's body. */
export const SKIP = 0;
export const DESCEND = 1;
export const READ = 2;
export const BLOCK = 3;
/**
 * Like DESCEND, but when the input chunk at hand holds the whole body, `handler.whole` is offered
 * it first. For small masters that repeat (a fragment's Tags, Info, Tracks) taking them in one go
 * beats a callback per child; nothing is buffered for it, so a split body is simply descended.
 */
export const WHOLE = 4;
export type Action = typeof SKIP | typeof DESCEND | typeof READ | typeof BLOCK | typeof WHOLE;

/** Bytes of a (Simple)Block header handed to the handler: track VINT (<= 8), timecode (2), flags (1). */
export const BLOCK_HEADER_BYTES = 11;

export interface ElementHandler {
  /** An element header was read; `parent` is the innermost open master's ID (0 at top level). */
  element(id: number, size: number, start: number, headerLength: number, parent: number): Action;
  /** The whole body of an element read with READ. The bytes are only valid during the call. */
  leaf(id: number, bytes: Uint8Array, offset: number, length: number): void;
  /**
   * The first bytes of an element read with BLOCK (at most BLOCK_HEADER_BYTES; fewer when the
   * block is shorter or the input ended). The rest of its `size` bytes is skipped.
   */
  block(id: number, bytes: Uint8Array, offset: number, length: number, size: number): void;
  /**
   * A master closed: at its size, at an element of the same or higher level (unknown size), at a
   * new EBML header, or at the end of input. `complete` is false when its bytes were cut short.
   */
  masterEnd(id: number, start: number, end: number, complete: boolean): void;
  /**
   * The whole body of a known-size master the handler answered WHOLE for, which the chunk at hand
   * holds (valid only during the call). Return true to have taken it: the scanner goes on after
   * it, with no callbacks for its children and no masterEnd. Return false to descend as usual.
   */
  whole?(id: number, bytes: Uint8Array, offset: number, length: number, start: number): boolean;
}

export interface ScannerLimits {
  /** Largest body read whole with READ. */
  maxLeafBytes: number;
  /** Largest declared size of any element other than a Segment. */
  maxElementBytes: number;
  /** Deepest nesting of masters. */
  maxDepth: number;
}

export interface ScanEnd {
  /** The input ended inside an element (its header or body). */
  midElement: boolean;
  /** ID of the non-master element whose body was cut off, if any. */
  truncatedId: number | null;
}

const HEADER = 0;
const BODY = 1;
const BLOCK_HEAD = 2;
const SKIPPING = 3;
/** An ID (<= 4 bytes) plus a size (<= 8 bytes). */
const MAX_HEADER_BYTES = 12;
const EMPTY = new Uint8Array(0);

export class ElementScanner {
  /** Stream offset of the next byte not yet consumed (bytes held in `carry` are not consumed). */
  offset = 0;
  private state = HEADER;
  private elId = 0;
  private elSize = 0;
  /** Bytes still wanted for BODY / BLOCK_HEAD. */
  private need = 0;
  private skip = 0;
  private carry = new Uint8Array(MAX_HEADER_BYTES);
  private carryLen = 0;
  private depth = 0;
  private readonly ids: number[] = [];
  private readonly starts: number[] = [];
  /** End offset of each open master, UNKNOWN_SIZE when unknown. */
  private readonly ends: number[] = [];
  private readonly levels: number[] = [];
  /** End of the innermost known-size master. */
  private boundary = Number.POSITIVE_INFINITY;

  private readonly handler: ElementHandler;
  private readonly limits: ScannerLimits;

  constructor(handler: ElementHandler, limits: ScannerLimits) {
    this.handler = handler;
    this.limits = limits;
  }

  /** Bytes held back because the element they start is not complete yet. */
  get bufferedBytes(): number {
    return this.carryLen;
  }

  /** Scans a chunk; handler errors and EbmlError propagate (the scanner is then unusable). */
  push(chunk: Uint8Array): void {
    const len = chunk.length;
    let pos = this.carryLen > 0 ? this.resume(chunk) : 0;
    while (pos < len) {
      if (this.state === SKIPPING) {
        const n = Math.min(this.skip, len - pos);
        this.skip -= n;
        this.offset += n;
        pos += n;
        if (this.skip === 0) {
          this.state = HEADER;
          this.closeAtBoundary();
        }
        continue;
      }
      const used = this.step(chunk, pos, len);
      if (used < 0) {
        this.stash(chunk, pos, len);
        break;
      }
      pos += used;
    }
  }

  /** Ends the input: reports a cut-off block, closes every open master. */
  end(): ScanEnd {
    const midElement = this.carryLen > 0 || this.state !== HEADER;
    let truncatedId: number | null = null;
    if (this.state !== HEADER) {
      truncatedId = this.elId;
      if (this.state === BLOCK_HEAD) {
        this.handler.block(this.elId, this.carry, 0, this.carryLen, this.elSize);
      }
    }
    const endOffset = this.offset + this.carryLen;
    while (this.depth > 0) {
      const top = this.depth - 1;
      this.pop(endOffset, !midElement && this.ends[top] === UNKNOWN_SIZE);
    }
    this.carryLen = 0;
    this.state = HEADER;
    return { midElement, truncatedId };
  }

  /** Completes the item held in `carry` with the head of `chunk`; returns where to go on in `chunk`. */
  private resume(chunk: Uint8Array): number {
    const want = this.state === HEADER ? MAX_HEADER_BYTES : this.need;
    const held = this.carryLen;
    const take = Math.min(want - held, chunk.length);
    this.carry.set(chunk.subarray(0, take), held);
    this.carryLen += take;
    if (this.carryLen < want && this.state !== HEADER) return chunk.length;
    const used = this.step(this.carry, 0, this.carryLen);
    if (used < 0) return chunk.length;
    this.carryLen = 0;
    // A large leaf value needed a large carry; don't keep it.
    if (this.carry.length > MAX_HEADER_BYTES) this.carry = new Uint8Array(MAX_HEADER_BYTES);
    return used - held;
  }

  private stash(chunk: Uint8Array, pos: number, len: number): void {
    const want = this.state === HEADER ? MAX_HEADER_BYTES : this.need;
    if (this.carry.length < want) this.carry = new Uint8Array(want);
    this.carry.set(chunk.subarray(pos, len));
    this.carryLen = len - pos;
  }

  /** Parses one item at `pos`; returns the bytes consumed, or -1 when `buf` ends first. */
  private step(buf: Uint8Array, pos: number, end: number): number {
    if (this.state === HEADER) return this.header(buf, pos, end);
    const n = this.need;
    if (end - pos < n) return -1;
    this.offset += n;
    if (this.state === BODY) {
      this.state = HEADER;
      this.handler.leaf(this.elId, buf, pos, n);
      this.closeAtBoundary();
    } else {
      this.skip = this.elSize - n;
      this.state = this.skip > 0 ? SKIPPING : HEADER;
      this.handler.block(this.elId, buf, pos, n, this.elSize);
      if (this.state === HEADER) this.closeAtBoundary();
    }
    return n;
  }

  private header(buf: Uint8Array, pos: number, end: number): number {
    const b0 = buf[pos] as number;
    const idLength = b0 === 0 ? 0 : Math.clz32(b0) - 23;
    if (idLength === 0 || idLength > 4) throw new EbmlError("invalid element ID", this.offset);
    if (pos + idLength >= end) return -1;
    let id = b0;
    for (let i = 1; i < idLength; i++) id = id * 256 + (buf[pos + i] as number);
    const s0 = buf[pos + idLength] as number;
    const sizeLength = s0 === 0 ? 0 : Math.clz32(s0) - 23;
    if (sizeLength === 0) throw new EbmlError("invalid size VINT", this.offset + idLength);
    const headerLength = idLength + sizeLength;
    if (pos + headerLength > end) return -1;
    const mask = 0xff >> sizeLength;
    let size = s0 & mask;
    let allOnes = size === mask;
    for (let i = pos + idLength + 1; i < pos + headerLength; i++) {
      const b = buf[i] as number;
      if (b !== 0xff) allOnes = false;
      size = size * 256 + b;
    }
    if (allOnes) size = UNKNOWN_SIZE;
    else if (size > Number.MAX_SAFE_INTEGER) {
      throw new EbmlError("element size too large", this.offset + idLength);
    }
    return headerLength + this.begin(id, size, headerLength, buf, pos + headerLength, end);
  }

  /**
   * Starts an element whose header was read; its body starts at `bodyAt` in `buf`, which holds
   * bytes up to `bufEnd`. Returns the body bytes consumed here (only when taken WHOLE).
   */
  private begin(
    id: number,
    size: number,
    headerLength: number,
    buf: Uint8Array,
    bodyAt: number,
    bufEnd: number,
  ): number {
    const start = this.offset;
    const level = levelOf(id);
    if (level >= 0 && this.depth > 0) this.closeForLevel(id, level, start);
    const dataStart = start + headerLength;
    const known = size !== UNKNOWN_SIZE;
    const end = known ? dataStart + size : dataStart;
    if (known && id !== ID.Segment && size > this.limits.maxElementBytes) {
      throw new EbmlError(
        `element ${hex(id)} of ${size} bytes exceeds the size limit`,
        start,
        "too-large",
      );
    }
    if (end > this.boundary) throw new EbmlError(`element ${hex(id)} overruns its parent`, start);
    this.offset = dataStart;
    const parent = this.depth > 0 ? (this.ids[this.depth - 1] as number) : 0;
    const action = this.handler.element(id, size, start, headerLength, parent);
    if (action === DESCEND || action === WHOLE) {
      if (this.depth >= this.limits.maxDepth)
        throw new EbmlError("elements nested too deep", start);
      if (
        action === WHOLE &&
        known &&
        size <= bufEnd - bodyAt &&
        this.handler.whole?.(id, buf, bodyAt, size, start) === true
      ) {
        this.offset = end;
        this.closeAtBoundary();
        return size;
      }
      this.ids[this.depth] = id;
      this.starts[this.depth] = start;
      this.ends[this.depth] = known ? end : UNKNOWN_SIZE;
      this.levels[this.depth] = level;
      this.depth++;
      if (known) this.boundary = end;
      this.closeAtBoundary();
      return 0;
    }
    if (!known) throw new EbmlError(`element ${hex(id)} has an unknown size`, start);
    this.elId = id;
    this.elSize = size;
    // Bodies (or block heads) already in `buf` are handled here rather than by another trip
    // through push()'s loop and step(): most elements are small and arrive whole.
    const inHand = bufEnd - bodyAt;
    if (action === SKIP) {
      if (size > 0) return this.skipBody(size, inHand);
      this.closeAtBoundary();
    } else if (action === READ) {
      if (size > this.limits.maxLeafBytes) {
        throw new EbmlError(
          `element ${hex(id)} of ${size} bytes exceeds the value limit`,
          start,
          "too-large",
        );
      }
      if (size > 0 && size <= inHand) {
        this.offset = end;
        this.handler.leaf(id, buf, bodyAt, size);
        this.closeAtBoundary();
        return size;
      }
      if (size > 0) {
        this.need = size;
        this.state = BODY;
      } else {
        this.handler.leaf(id, buf, 0, 0);
        this.closeAtBoundary();
      }
    } else if (size > 0) {
      const head = Math.min(size, BLOCK_HEADER_BYTES);
      if (head <= inHand) {
        this.offset = dataStart + head;
        this.handler.block(id, buf, bodyAt, head, size);
        return head + this.skipBody(size - head, inHand - head);
      }
      this.need = head;
      this.state = BLOCK_HEAD;
    } else {
      this.handler.block(id, EMPTY, 0, 0, 0);
      this.closeAtBoundary();
    }
    return 0;
  }

  /** Skips `size` body bytes, `inHand` of which are in the current buffer; returns those used. */
  private skipBody(size: number, inHand: number): number {
    if (size <= inHand) {
      this.offset += size;
      this.closeAtBoundary();
      return size;
    }
    const used = Math.max(inHand, 0);
    this.offset += used;
    this.skip = size - used;
    this.state = SKIPPING;
    return used;
  }

  /** Closes the open masters that an element of `level` ends. */
  private closeForLevel(id: number, level: number, start: number): void {
    if (id === ID.EBML) {
      // A new document: whatever is open ends here, cut short if it had a known size.
      while (this.depth > 0) this.pop(start, this.ends[this.depth - 1] === UNKNOWN_SIZE);
      return;
    }
    while (this.depth > 0) {
      const top = this.depth - 1;
      if (this.ends[top] !== UNKNOWN_SIZE || (this.levels[top] as number) < level) break;
      this.pop(start, true);
    }
    if (level <= 1 && this.depth > 0 && (this.levels[this.depth - 1] as number) >= level) {
      throw new EbmlError(
        `element ${hex(id)} inside ${hex(this.ids[this.depth - 1] as number)}`,
        start,
      );
    }
  }

  /** Closes masters whose known size ends at the current offset (and unknown-size ones inside them). */
  private closeAtBoundary(): void {
    while (this.depth > 0 && this.offset === this.boundary) {
      let closedKnown = false;
      while (!closedKnown && this.depth > 0) {
        closedKnown = this.ends[this.depth - 1] !== UNKNOWN_SIZE;
        this.pop(this.offset, true);
      }
    }
  }

  private pop(end: number, complete: boolean): void {
    const top = this.depth - 1;
    const wasKnown = this.ends[top] !== UNKNOWN_SIZE;
    this.depth = top;
    if (wasKnown) {
      this.boundary = Number.POSITIVE_INFINITY;
      for (let i = top - 1; i >= 0; i--) {
        const e = this.ends[i] as number;
        if (e !== UNKNOWN_SIZE) {
          this.boundary = e;
          break;
        }
      }
    }
    this.handler.masterEnd(this.ids[top] as number, this.starts[top] as number, end, complete);
  }
}

export function hex(id: number): string {
  return `0x${id.toString(16).toUpperCase()}`;
}
