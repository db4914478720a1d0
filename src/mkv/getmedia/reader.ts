// Incremental reader of GetMedia output: a concatenation of MKV documents, one per fragment, each
// with KVS's Tags before (FRAGMENT_NUMBER, SERVER/PRODUCER_TIMESTAMP) and after
// (MILLIS_BEHIND_NOW, CONTINUATION_TOKEN) its Cluster. A fragment is emitted as soon as its closing
// tags (or error tags) end; a fragment whose closing tags never come is emitted incomplete when the
// next document starts or at end(). Block payloads are skipped, never copied.

import { decodeUtf8, EbmlError, ID } from "../ebml/primitives.ts";
import {
  type Action,
  DESCEND,
  type ElementHandler,
  ElementScanner,
  hex,
  READ,
  SKIP,
  WHOLE,
} from "../ebml/scanner.ts";
import { AWS_TAG_PREFIX, KVS_TAG, knownKvsTagName } from "../kvs-tags/names.ts";
import { stripNuls } from "../kvs-tags/values.ts";
import { ClusterTally } from "../matroska/cluster-tally.ts";
import { TrackCollector } from "../matroska/track-collector.ts";
import { FragmentDraft } from "./fragment-draft.ts";
import { type ParsedTags, RepeatedTags } from "./repeated-tags.ts";
import { SimpleTagGroup } from "./simple-tag-group.ts";
import { TagTextCache } from "./tag-text-cache.ts";
import { TagsBody } from "./tags-body.ts";
import type { FragmentTag, ReaderEvent } from "./types.ts";

export interface GetMediaReaderOptions {
  /** Largest tag name/value or other value read whole (default 64 KiB). */
  maxValueBytes?: number;
  /** Largest element accepted, skipped or not (default 256 MiB; KVS fragments are <= 50 MB). */
  maxElementBytes?: number;
  /** Tag text (names and values, plus 16 bytes per tag) held per fragment (default 1 MiB). */
  maxTagBytesPerFragment?: number;
  /** Clusters per fragment (default 4096). */
  maxClustersPerFragment?: number;
}

/** Accounting overhead per SimpleTag, so that empty tags still count against the budget. */
const TAG_OVERHEAD = 16;

export class GetMediaReader implements ElementHandler {
  private readonly scanner: ElementScanner;
  private readonly maxTagBytes: number;
  private readonly maxClusters: number;
  private readonly tracks = new TrackCollector(false, true);
  private readonly tally = new ClusterTally();
  private events: ReaderEvent[] = [];
  /** After an error or end(): further input is ignored. */
  private stopped = false;
  private open: FragmentDraft | null = null;
  /** Non-AWS tags of this document not yet attached to a fragment. */
  private pending: FragmentTag[] = [];
  /** Where the next fragment's bytes start: its document, or the end of the previous fragment. */
  private spanStart = 0;
  private tagsStart = 0;
  private readonly group = new SimpleTagGroup();
  private readonly tagText = new TagTextCache();
  private readonly tagsBody: TagsBody;
  private readonly repeatedTags = new RepeatedTags();
  private tagBytes = 0;
  private received = 0;

  constructor(options: GetMediaReaderOptions = {}) {
    this.maxTagBytes = options.maxTagBytesPerFragment ?? 1024 * 1024;
    this.maxClusters = options.maxClustersPerFragment ?? 4096;
    const maxValueBytes = options.maxValueBytes ?? 64 * 1024;
    const maxElementBytes = options.maxElementBytes ?? 256 * 1024 * 1024;
    this.scanner = new ElementScanner(this, {
      maxLeafBytes: maxValueBytes,
      maxElementBytes,
      maxDepth: 16,
    });
    this.tagsBody = new TagsBody({ maxValueBytes, maxElementBytes }, TAG_OVERHEAD);
  }

  /** Input bytes held back because the element they start is incomplete (bounded by the caps). */
  get bufferedBytes(): number {
    return this.scanner.bufferedBytes;
  }

  /** Reads a chunk; never throws: corrupt input yields an error event and the reader stops. */
  push(chunk: Uint8Array): ReaderEvent[] {
    if (this.stopped) return [];
    this.received += chunk.length;
    this.run(() => this.scanner.push(chunk));
    return this.take();
  }

  /** Ends the input: emits the last fragment, incomplete when its closing tags are missing. */
  end(): ReaderEvent[] {
    if (this.stopped) return [];
    this.run(() => {
      const { truncatedId } = this.scanner.end();
      const f = this.open;
      if (f !== null) {
        if (truncatedId === ID.SimpleBlock || truncatedId === ID.Block) {
          f.lastBlockTruncated = f.clusterTimecodes.length > 0;
        }
        this.emit(f, this.received);
      }
    });
    this.stopped = true;
    return this.take();
  }

  // ---- ElementHandler ----

  element(id: number, size: number, start: number, _headerLength: number, parent: number): Action {
    switch (parent) {
      case 0:
        if (id === ID.EBML) {
          this.beginDocument(start);
          return SKIP;
        }
        if (id === ID.Segment) return DESCEND;
        if (id === ID.Void || id === ID.CRC32) return SKIP;
        throw new EbmlError(`unexpected top-level element ${hex(id)}`, start);
      case ID.Segment:
        if (id === ID.Tags) {
          this.group.clear();
          this.tagsStart = start;
          return WHOLE;
        }
        if (id === ID.Cluster) {
          this.tally.reset();
          return DESCEND;
        }
        return this.tracks.element(id, size, parent) ?? SKIP;
      case ID.Tags:
        return id === ID.Tag ? DESCEND : SKIP;
      case ID.Tag:
      case ID.SimpleTag:
        if (id === ID.SimpleTag) {
          this.spendTagBytes(TAG_OVERHEAD, start);
          this.group.open();
          return DESCEND;
        }
        if (parent === ID.SimpleTag && (id === ID.TagName || id === ID.TagString)) {
          this.spendTagBytes(size, start);
          return READ;
        }
        return SKIP;
      default:
        return this.tally.element(id, parent) ?? this.tracks.element(id, size, parent) ?? SKIP;
    }
  }

  leaf(id: number, bytes: Uint8Array, offset: number, length: number): void {
    if (id === ID.TagName || id === ID.TagString) {
      if (id === ID.TagName) this.group.setName(this.tagName(bytes, offset, length));
      else this.group.setValue(this.tagValue(bytes, offset, length));
      return;
    }
    if (!this.tally.leaf(id, bytes, offset, length)) this.tracks.leaf(id, bytes, offset, length);
  }

  /**
   * A whole Tags element at hand: taken at once when it repeats a remembered one or is plain
   * (see repeated-tags.ts and tags-body.ts), else descended. Over the tag budget, it is descended
   * too, so that the element-by-element path reports where.
   */
  whole(id: number, bytes: Uint8Array, offset: number, length: number): boolean {
    if (id !== ID.Tags) return this.tracks.whole(id, bytes, offset, length);
    const group = this.group;
    const known = this.repeatedTags.find(bytes, offset, length);
    if (known !== null) {
      if (this.tagBytes + known.tagBytes > this.maxTagBytes) return false;
      this.tagBytes += known.tagBytes;
      for (let i = 0; i < known.names.length; i++) {
        group.add(known.names[i] as string, known.values[i] ?? null);
      }
    } else {
      const body = this.tagsBody;
      if (!body.scan(bytes, offset, length) || this.tagBytes + body.tagBytes > this.maxTagBytes) {
        return false;
      }
      this.tagBytes += body.tagBytes;
      for (let i = 0; i < body.count; i++) {
        const nameAt = body.nameAt[i] as number;
        if (nameAt < 0) continue;
        group.open();
        group.setName(this.tagName(bytes, nameAt, body.nameLength[i] as number));
        const valueAt = body.valueAt[i] as number;
        if (valueAt >= 0) {
          group.setValue(this.tagValue(bytes, valueAt, body.valueLength[i] as number));
        }
        group.close(true);
      }
      const parsed = producerTags(group, body.tagBytes);
      if (parsed !== null) this.repeatedTags.remember(bytes, offset, length, parsed);
    }
    this.endTags(this.scanner.offset + length);
    group.clear();
    return true;
  }

  block(id: number, bytes: Uint8Array, offset: number, length: number): void {
    this.tally.block(id, bytes, offset, length);
  }

  masterEnd(id: number, _start: number, end: number, complete: boolean): void {
    switch (id) {
      case ID.SimpleTag:
        this.group.close(complete);
        break;
      case ID.Tags:
        if (complete) this.endTags(end);
        this.group.clear();
        break;
      case ID.Cluster:
        this.endCluster();
        break;
      default:
        this.tally.masterEnd(id);
        this.tracks.masterEnd(id, complete);
    }
  }

  // Tag text is kept as sent (a trailing NUL is data to the reference parser); AWS values are
  // unpadded later.
  private tagName(bytes: Uint8Array, offset: number, length: number): string {
    return knownKvsTagName(bytes, offset, length) ?? this.tagText.decode(bytes, offset, length);
  }

  private tagValue(bytes: Uint8Array, offset: number, length: number): string {
    // AWS values change with every fragment: remembering them would only evict producer text.
    return this.group.openName?.startsWith(AWS_TAG_PREFIX) === true
      ? decodeUtf8(bytes, offset, length)
      : this.tagText.decode(bytes, offset, length);
  }

  // ---- fragments ----

  private beginDocument(start: number): void {
    if (this.open !== null) this.emit(this.open, start);
    this.spanStart = start;
    this.pending = [];
    this.tagBytes = 0;
    this.tracks.reset();
  }

  private endTags(end: number): void {
    const group = this.group;
    // A FRAGMENT_NUMBER starts a fragment, unless it repeats the open one's (e.g. with error tags).
    let opens = false;
    let errs = false;
    for (let i = 0; i < group.count; i++) {
      const name = group.name(i);
      if (name === KVS_TAG.FragmentNumber) {
        if (this.open === null || stripNuls(group.value(i) ?? "") !== this.open.fragmentNumber) {
          opens = true;
        }
      } else if (name === KVS_TAG.ErrorCode || name === KVS_TAG.ErrorId) errs = true;
    }
    if (opens && this.open !== null) this.emit(this.open, this.tagsStart);
    if (opens || (errs && this.open === null)) {
      this.open = new FragmentDraft(this.spanStart, this.pending);
      this.pending = [];
    }
    const f = this.open;
    for (let i = 0; i < group.count; i++) {
      const name = group.name(i);
      const value = group.value(i);
      if (f !== null) f.addTag(name, value);
      else if (!name.startsWith(AWS_TAG_PREFIX)) {
        this.pending.push({ name, value, position: "pre-cluster" });
      }
    }
    if (f?.finished) this.emit(f, end);
  }

  private endCluster(): void {
    const f = this.open;
    if (f === null) return;
    if (f.clusterTimecodes.length >= this.maxClusters) {
      throw new EbmlError(
        `more than ${this.maxClusters} clusters in a fragment`,
        this.scanner.offset,
      );
    }
    const t = this.tally;
    const ticks = t.durationTicks((n) => this.tracks.defaultDurationTicks(n));
    f.addCluster(t.timecode, ticks, t.blockCount, t.keyframeCount, t.trackCounts);
  }

  private emit(f: FragmentDraft, end: number): void {
    const fragment = f.build(end, this.tracks.trackSummaries(), this.tracks.timecodeScaleNs);
    this.events.push({ type: "fragment", fragment });
    this.open = null;
    this.spanStart = end;
    this.tagBytes = 0;
  }

  private spendTagBytes(n: number, at: number): void {
    this.tagBytes += n;
    if (this.tagBytes > this.maxTagBytes) {
      throw new EbmlError(`more than ${this.maxTagBytes} bytes of tags in a fragment`, at);
    }
  }

  private run(scan: () => void): void {
    try {
      scan();
    } catch (e) {
      const error =
        e instanceof EbmlError
          ? e
          : new EbmlError(`unreadable GetMedia output: ${String(e)}`, this.scanner.offset);
      this.events.push({ type: "error", error });
      this.stopped = true;
      this.open = null;
    }
  }

  private take(): ReaderEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }
}

/** The group's tags for RepeatedTags, or null when it holds AWS tags (they never repeat). */
function producerTags(group: SimpleTagGroup, tagBytes: number): ParsedTags | null {
  const names: string[] = [];
  const values: (string | null)[] = [];
  for (let i = 0; i < group.count; i++) {
    const name = group.name(i);
    if (name.startsWith(AWS_TAG_PREFIX)) return null;
    names.push(name);
    values.push(group.value(i));
  }
  return { names, values, tagBytes };
}
