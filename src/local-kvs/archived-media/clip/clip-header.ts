// The parts of a stored producer header that a clip document needs: the EBML header, Info and
// Tracks. SeekHead, Cues, Tags and the Segment's size are dropped: they describe the producer's
// whole upload, not the one Cluster a clip document carries.

import { ebmlChildren } from "../../../mkv/ebml/children.ts";
import { EbmlError, ID } from "../../../mkv/ebml/primitives.ts";

export interface ClipHeader {
  ebml: Uint8Array;
  info: Uint8Array;
  tracks: Uint8Array;
}

export function parseClipHeader(bytes: Uint8Array): ClipHeader {
  let ebml: Uint8Array | undefined;
  let info: Uint8Array | undefined;
  let tracks: Uint8Array | undefined;
  for (const top of ebmlChildren(bytes, 0, bytes.length, true)) {
    if (top.id === ID.EBML) ebml = bytes.subarray(top.start, top.end);
    if (top.id !== ID.Segment) continue;
    for (const child of ebmlChildren(bytes, top.dataStart, top.end, true)) {
      if (child.id === ID.Info) info = bytes.subarray(child.start, child.end);
      else if (child.id === ID.Tracks) tracks = bytes.subarray(child.start, child.end);
      else if (child.id === ID.Cluster) break;
    }
  }
  if (!ebml || !tracks) throw new EbmlError("header has no EBML header or no Tracks", 0);
  // Info is optional in practice (TimecodeScale then defaults to 1 ms); an empty one keeps the layout.
  return { ebml, info: info ?? Uint8Array.of(0x15, 0x49, 0xa9, 0x66, 0x80), tracks };
}
