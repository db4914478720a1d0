// One fragment as the clip demuxer's input: a standalone Matroska document of the producer's
// EBML header, Info and Tracks, then the fragment's blocks in a Cluster whose Timecode is 0. Zeroing the
// Timecode makes every packet timestamp relative to the fragment start, whatever the producer's
// clock did (RELATIVE timecodes restart at 0 with each PutMedia session; ABSOLUTE ones are epoch
// milliseconds), so the clip timeline can be laid out from the fragments' KVS timestamps.
import { encodeId, encodeSize, ID, uintElement } from "../../../mkv/ebml/primitives.ts";
import type { ClusterBlocks } from "../../../mkv/matroska/cluster-blocks.ts";
import type { ClipHeader } from "./clip-header.ts";

export function clipInputDocument(
  header: ClipHeader,
  cluster: Uint8Array,
  blocks: ClusterBlocks,
): Uint8Array {
  const timecode = uintElement(ID.Timecode, 0);
  let blockBytes = 0;
  for (const [start, end] of blocks.ranges) blockBytes += end - start;
  const clusterSize = encodeSize(timecode.length + blockBytes);
  const clusterId = encodeId(ID.Cluster);
  const clusterLength = clusterId.length + clusterSize.length + timecode.length + blockBytes;

  const segmentBody = header.info.length + header.tracks.length + clusterLength;
  const segmentHead = encodeId(ID.Segment);
  const segmentSize = encodeSize(segmentBody);

  const out = new Uint8Array(
    header.ebml.length + segmentHead.length + segmentSize.length + segmentBody,
  );
  let at = 0;
  const put = (part: Uint8Array) => {
    out.set(part, at);
    at += part.length;
  };
  for (const part of [header.ebml, segmentHead, segmentSize, header.info, header.tracks]) put(part);
  for (const part of [clusterId, clusterSize, timecode]) put(part);
  for (const [start, end] of blocks.ranges) put(cluster.subarray(start, end));
  return out;
}
