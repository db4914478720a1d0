// Matroska element levels, used to close unknown-size masters: a new element ends every open
// unknown-size master whose level is >= its own (EBML = Segment = 0, Cluster/Tags/... = 1).
import { ID } from "./ebml.ts";

const LEVELS = new Map<number, number>([
  [ID.EBML, 0],
  [ID.Segment, 0],
  [ID.SeekHead, 1],
  [ID.Info, 1],
  [ID.Tracks, 1],
  [ID.Cluster, 1],
  [ID.Cues, 1],
  [ID.Chapters, 1],
  [ID.Attachments, 1],
  [ID.Tags, 1],
  [ID.Timecode, 2],
  [ID.SimpleBlock, 2],
  [ID.BlockGroup, 2],
  [ID.TrackEntry, 2],
  [ID.Tag, 2],
]);

/** The element's level, or -1 for global (Void, CRC-32) and unlisted elements, which close nothing. */
export function levelOf(id: number): number {
  return LEVELS.get(id) ?? -1;
}
