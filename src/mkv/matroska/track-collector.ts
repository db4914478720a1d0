// Collects TimecodeScale (Info) and the track list (Tracks) of one MKV document while it is scanned.
import { EbmlError, ID, readFloat, readString, readUint } from "../ebml/primitives.ts";
import { type Action, DESCEND, READ, SKIP, WHOLE } from "../ebml/scanner.ts";
import type { TrackInfo, TrackKind, TrackSummary } from "./types.ts";

const DEFAULT_TIMECODE_SCALE_NS = 1_000_000;
const MAX_TRACKS = 128;
/** Largest Info or Tracks body remembered to recognise a repeat (KVS's are a few hundred bytes). */
const MAX_REMEMBERED_BYTES = 16 * 1024;

/** An Info or Tracks body parsed earlier, and what it gave. */
interface Parsed<T> {
  bytes: Uint8Array;
  result: T;
}

interface TrackDraft {
  number: number;
  type: TrackKind;
  codecId: string;
  codecPrivate?: Uint8Array;
  codecPrivateLength: number;
  width?: number;
  height?: number;
  samplingFrequency?: number;
  channels?: number;
  defaultDurationNs?: number;
}

export class TrackCollector {
  timecodeScaleNs = DEFAULT_TIMECODE_SCALE_NS;
  private tracks: TrackDraft[] = [];
  private draft: TrackDraft | null = null;
  /** trackSummaries() of `tracks`, kept until they change: one list per Tracks, not per call. */
  private summaries: readonly TrackSummary[] | null = null;
  // Every GetMedia document repeats its stream's Info and Tracks. With `reuseRepeats`, a body equal
  // to the last one parsed (a byte compare) takes that parse's result instead of being parsed
  // again; `pending*` holds a copy of a body being parsed, remembered once it parsed completely.
  private lastInfo: Parsed<number | null> | null = null;
  private lastTracks: Parsed<{ tracks: TrackDraft[]; summaries: readonly TrackSummary[] }> | null =
    null;
  private pendingInfo: Uint8Array | null = null;
  private pendingTracks: Uint8Array | null = null;
  /** The TimecodeScale the Info being parsed set, if any. */
  private infoScale: number | null = null;

  /**
   * @param keepCodecPrivate read CodecPrivate bytes (the splitter) or only note their length.
   * @param reuseRepeats answer WHOLE for Info and Tracks, and reuse repeats (see whole()).
   */
  private readonly keepCodecPrivate: boolean;
  private readonly reuseRepeats: boolean;

  constructor(keepCodecPrivate: boolean, reuseRepeats = false) {
    this.keepCodecPrivate = keepCodecPrivate;
    this.reuseRepeats = reuseRepeats;
  }

  /** Forgets the previous document's Info and Tracks. */
  reset(): void {
    this.timecodeScaleNs = DEFAULT_TIMECODE_SCALE_NS;
    this.tracks = [];
    this.draft = null;
    this.summaries = null;
  }

  /** The action for an element under Segment/Info/Tracks, or null when it is not ours. */
  element(id: number, size: number, parent: number): Action | null {
    switch (parent) {
      case ID.Segment:
        if (id === ID.Info) {
          this.pendingInfo = null;
          this.infoScale = null;
          return this.reuseRepeats ? WHOLE : DESCEND;
        }
        if (id === ID.Tracks) {
          this.tracks = [];
          this.summaries = null;
          this.pendingTracks = null;
          return this.reuseRepeats ? WHOLE : DESCEND;
        }
        return null;
      case ID.Info:
        return id === ID.TimecodeScale ? READ : SKIP;
      case ID.Tracks:
        if (id !== ID.TrackEntry) return SKIP;
        if (this.tracks.length >= MAX_TRACKS) throw new EbmlError("too many tracks", 0);
        this.draft = { number: 0, type: "other", codecId: "", codecPrivateLength: 0 };
        return DESCEND;
      case ID.TrackEntry:
        switch (id) {
          case ID.TrackNumber:
          case ID.TrackType:
          case ID.CodecID:
          case ID.DefaultDuration:
            return READ;
          case ID.CodecPrivate:
            if (this.draft) this.draft.codecPrivateLength = size;
            return this.keepCodecPrivate ? READ : SKIP;
          case ID.Video:
          case ID.Audio:
            return DESCEND;
          default:
            return SKIP;
        }
      case ID.Video:
        return id === ID.PixelWidth || id === ID.PixelHeight ? READ : SKIP;
      case ID.Audio:
        return id === ID.SamplingFrequency || id === ID.Channels ? READ : SKIP;
      default:
        return null;
    }
  }

  /** Takes a value read for `element`; returns false when the ID is not ours. */
  leaf(id: number, buf: Uint8Array, offset: number, length: number): boolean {
    if (id === ID.TimecodeScale) {
      const scale = readUint(buf, offset, length);
      if (scale > 0) {
        this.timecodeScaleNs = scale;
        this.infoScale = scale;
      }
      return true;
    }
    const t = this.draft;
    if (t === null) return false;
    switch (id) {
      case ID.TrackNumber:
        t.number = readUint(buf, offset, length);
        return true;
      case ID.TrackType: {
        const type = readUint(buf, offset, length);
        t.type = type === 1 ? "video" : type === 2 ? "audio" : "other";
        return true;
      }
      case ID.CodecID:
        t.codecId = readString(buf, offset, length, false);
        return true;
      case ID.CodecPrivate:
        t.codecPrivate = buf.slice(offset, offset + length);
        return true;
      case ID.DefaultDuration:
        t.defaultDurationNs = readUint(buf, offset, length);
        return true;
      case ID.PixelWidth:
        t.width = readUint(buf, offset, length);
        return true;
      case ID.PixelHeight:
        t.height = readUint(buf, offset, length);
        return true;
      case ID.SamplingFrequency:
        if (length === 4 || length === 8) t.samplingFrequency = readFloat(buf, offset, length);
        return true;
      case ID.Channels:
        t.channels = readUint(buf, offset, length);
        return true;
      default:
        return false;
    }
  }

  /**
   * A whole Info or Tracks body (WHOLE): true when it repeats the last one parsed, whose result is
   * taken; false to have it descended (and remembered, if it parses completely).
   */
  whole(id: number, buf: Uint8Array, offset: number, length: number): boolean {
    if (id === ID.Info) {
      if (this.lastInfo !== null && sameBytes(this.lastInfo.bytes, buf, offset, length)) {
        if (this.lastInfo.result !== null) this.timecodeScaleNs = this.lastInfo.result;
        return true;
      }
      if (length <= MAX_REMEMBERED_BYTES) this.pendingInfo = buf.slice(offset, offset + length);
      return false;
    }
    if (id === ID.Tracks) {
      if (this.lastTracks !== null && sameBytes(this.lastTracks.bytes, buf, offset, length)) {
        this.tracks = this.lastTracks.result.tracks.slice();
        this.summaries = this.lastTracks.result.summaries;
        return true;
      }
      if (length <= MAX_REMEMBERED_BYTES) this.pendingTracks = buf.slice(offset, offset + length);
    }
    return false;
  }

  masterEnd(id: number, complete: boolean): void {
    switch (id) {
      case ID.TrackEntry:
        if (this.draft !== null) {
          this.tracks.push(this.draft);
          this.draft = null;
          this.summaries = null;
        }
        break;
      case ID.Info:
        if (complete && this.pendingInfo !== null) {
          this.lastInfo = { bytes: this.pendingInfo, result: this.infoScale };
        }
        this.pendingInfo = null;
        break;
      case ID.Tracks:
        if (complete && this.pendingTracks !== null) {
          const tracks = this.tracks.slice();
          this.lastTracks = {
            bytes: this.pendingTracks,
            result: { tracks, summaries: this.trackSummaries() },
          };
        }
        this.pendingTracks = null;
        break;
    }
  }

  /** DefaultDuration of a track in ticks of the current TimecodeScale, or undefined. */
  defaultDurationTicks(track: number): number | undefined {
    for (const t of this.tracks) {
      if (t.number === track && t.defaultDurationNs !== undefined) {
        return t.defaultDurationNs / this.timecodeScaleNs;
      }
    }
    return undefined;
  }

  trackInfos(): TrackInfo[] {
    return this.tracks.map(({ codecPrivateLength: _, ...t }) => t);
  }

  /** The tracks without CodecPrivate bytes; shared between calls, so frozen. */
  trackSummaries(): readonly TrackSummary[] {
    this.summaries ??= Object.freeze(
      this.tracks.map(({ codecPrivate: _, ...t }) => Object.freeze(t)),
    );
    return this.summaries;
  }
}

function sameBytes(known: Uint8Array, buf: Uint8Array, offset: number, length: number): boolean {
  if (known.length !== length) return false;
  for (let i = 0; i < length; i++) if (known[i] !== buf[offset + i]) return false;
  return true;
}
