import type { Output } from "mediabunny";

/**
 * mediabunny's fragmented-MP4 muxer keeps the sample records of every finished fragment until
 * `finalize`, only to write a random-access index (`mfra`) at the end of the file: about 150
 * bytes per packet, some 700 MB for a day of the demo stream. That index is optional (players
 * find fragments through their `moof` boxes; ffmpeg ignores `mfra` unless told otherwise), so the
 * stitcher forgets finished fragments as it goes and the `mfra` written at the end is empty.
 *
 * This reaches into the muxer's private state (`_muxer`, `finalizedChunks`), so
 * `retainedFragments` reports `undefined` when a mediabunny release names them otherwise; a test
 * checks that they are still found.
 */

interface FragmentRecords {
  finalizedChunks?: unknown;
}

interface MuxerState extends FragmentRecords {
  trackDatas?: unknown;
}

function recordLists(output: Output): unknown[][] | undefined {
  const muxer = (output as unknown as { _muxer?: MuxerState })._muxer;
  if (muxer === undefined || !Array.isArray(muxer.trackDatas)) return undefined;
  const lists: unknown[][] = [];
  if (Array.isArray(muxer.finalizedChunks)) lists.push(muxer.finalizedChunks);
  for (const track of muxer.trackDatas as FragmentRecords[]) {
    if (!Array.isArray(track.finalizedChunks)) return undefined;
    lists.push(track.finalizedChunks);
  }
  return lists;
}

/** Drops the records of fragments already written out. */
export function forgetFinishedFragments(output: Output): void {
  for (const list of recordLists(output) ?? []) list.length = 0;
}

/** Records of finished fragments the muxer still holds; undefined when they can't be found. */
export function retainedFragments(output: Output): number | undefined {
  return recordLists(output)?.reduce((sum, list) => sum + list.length, 0);
}
