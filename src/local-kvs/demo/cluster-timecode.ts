// Gives a Cluster a new Timecode, so the looped sample carries the current time. Blocks keep
// their timecodes (they are relative to the Cluster's). Position and PrevSize are dropped: they
// describe the sample file, not the stream being sent.

import { ebmlChildren } from "../../mkv/ebml/children.ts";
import { concatBytes, element, ID } from "../../mkv/ebml/primitives.ts";

const POSITION = 0xa7;
const PREV_SIZE = 0xab;

/** `timecode` in TimecodeScale ticks; written in 8 bytes, as epoch milliseconds need. */
export function withClusterTimecode(cluster: Uint8Array, timecode: number): Uint8Array {
  const outer = ebmlChildren(cluster, 0, cluster.length).next();
  if (outer.done || outer.value.id !== ID.Cluster) throw new Error("not a Cluster");
  const value = new Uint8Array(8);
  new DataView(value.buffer).setBigUint64(0, BigInt(Math.round(timecode)));
  const parts = [element(ID.Timecode, value)];
  for (const child of ebmlChildren(cluster, outer.value.dataStart, outer.value.end)) {
    if (child.id === ID.Timecode || child.id === POSITION || child.id === PREV_SIZE) continue;
    parts.push(cluster.subarray(child.start, child.end));
  }
  return element(ID.Cluster, concatBytes(parts));
}
