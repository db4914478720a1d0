// Matroska element levels, used to close unknown-size masters: a new element ends every open
// unknown-size master whose level is >= its own (EBML = Segment = 0, Cluster/Tags/... = 1).
import { ID } from "./primitives.ts";

/**
 * The element's level, or -1 for global (Void, CRC-32) and unlisted elements, which close nothing.
 * A switch rather than a Map: it runs for every element scanned, and a few integer compares beat
 * a hash lookup.
 */
export function levelOf(id: number): number {
  switch (id) {
    case ID.EBML:
    case ID.Segment:
      return 0;
    case ID.SeekHead:
    case ID.Info:
    case ID.Tracks:
    case ID.Cluster:
    case ID.Cues:
    case ID.Chapters:
    case ID.Attachments:
    case ID.Tags:
      return 1;
    case ID.Timecode:
    case ID.SimpleBlock:
    case ID.BlockGroup:
    case ID.TrackEntry:
    case ID.Tag:
      return 2;
    default:
      return -1;
  }
}
