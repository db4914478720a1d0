// Collects TimecodeScale (Info) and the track list (Tracks) of one MKV document while it is scanned.
import { EbmlError, ID, readFloat, readString, readUint } from "./ebml.ts";
import { type Action, DESCEND, READ, SKIP } from "./element-scanner.ts";
import type { TrackInfo, TrackKind, TrackSummary } from "./types.ts";

const DEFAULT_TIMECODE_SCALE_NS = 1_000_000;
const MAX_TRACKS = 128;

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

  /** @param keepCodecPrivate read CodecPrivate bytes (the splitter) or only note their length. */
  constructor(private readonly keepCodecPrivate: boolean) {}

  /** Forgets the previous document's Info and Tracks. */
  reset(): void {
    this.timecodeScaleNs = DEFAULT_TIMECODE_SCALE_NS;
    this.tracks = [];
    this.draft = null;
  }

  /** The action for an element under Segment/Info/Tracks, or null when it is not ours. */
  element(id: number, size: number, parent: number): Action | null {
    switch (parent) {
      case ID.Segment:
        if (id === ID.Info) return DESCEND;
        if (id === ID.Tracks) {
          this.tracks = [];
          return DESCEND;
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
      if (scale > 0) this.timecodeScaleNs = scale;
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

  masterEnd(id: number): void {
    if (id === ID.TrackEntry && this.draft !== null) {
      this.tracks.push(this.draft);
      this.draft = null;
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

  trackSummaries(): TrackSummary[] {
    return this.tracks.map(({ codecPrivate: _, ...t }) => t);
  }
}
