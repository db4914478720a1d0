// Builds a GetClip MP4 from selected fragments into a temporary file, so the answer can carry a
// Content-Length and errors found in the media still reach the client as AWS errors.
//
// Two passes over the stored Clusters: the first checks every fragment's header and blocks and
// counts frames per track (the muxer reserves room for `moov` from these counts); the second
// remuxes one fragment at a time. Only one Cluster is in memory at a time.
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { EbmlError } from "../../../mkv/ebml/primitives.ts";
import { type ClusterBlocks, readClusterBlocks } from "../../../mkv/matroska/cluster-blocks.ts";
import { KvsServiceError, resourceNotFound } from "../../errors.ts";
import { isStoredMediaGone } from "../../store/local-fragment-store.ts";
import type { FragmentRecord, FragmentStore, HeaderRecord } from "../../store/types.ts";
import { type ClipHeader, parseClipHeader } from "./clip-header.ts";
import { clipInputDocument } from "./clip-input-document.ts";
import { makeClipDirectory } from "./clip-temp-dirs.ts";
import { type ClipTrackPlan, planClipTracks, sameClipTracks } from "./clip-tracks.ts";
import { ClipMediaError, Mp4ClipWriter } from "./mp4-clip-writer.ts";

export interface BuiltClip {
  path: string;
  sizeBytes: number;
  /** The fragments in the clip (a header change ends the clip early). */
  fragments: FragmentRecord[];
  videoFrames: number;
  /** Removes the temporary file. */
  dispose(): Promise<void>;
}

interface PreparedHeader {
  header: ClipHeader;
  plan: ClipTrackPlan;
}

interface PreparedFragment {
  record: FragmentRecord;
  header: ClipHeader;
  blocks: ClusterBlocks;
}

const invalidFrame = (message: string) =>
  new KvsServiceError("InvalidMediaFrameException", message);

/** Retention or DeleteStream took it meanwhile: to the client the range now lacks fragments. */
function fragmentGone(fragment: FragmentRecord): KvsServiceError {
  return resourceNotFound(`Fragment ${fragment.fragmentNumber} is no longer available.`);
}

async function prepareHeader(
  store: FragmentStore,
  fragment: FragmentRecord,
): Promise<PreparedHeader> {
  let record: HeaderRecord;
  try {
    record = await store.readHeader(fragment.headerId);
  } catch (error) {
    // Its header goes with the last fragment that used it.
    if (isStoredMediaGone(error)) throw fragmentGone(fragment);
    throw error;
  }
  const plan = planClipTracks(record.tracks);
  try {
    return { header: parseClipHeader(record.bytes), plan };
  } catch (error) {
    if (error instanceof EbmlError)
      throw invalidFrame(`The stream header is malformed: ${error.message}`);
    throw error;
  }
}

/** The fragment's Cluster; gone fragments (retention, DeleteStream meanwhile) are not found. */
export async function readStoredCluster(
  store: FragmentStore,
  fragment: FragmentRecord,
): Promise<Uint8Array> {
  try {
    return await store.readCluster(fragment);
  } catch (error) {
    if (isStoredMediaGone(error)) throw fragmentGone(fragment);
    throw error;
  }
}

export function readBlocks(fragment: FragmentRecord, cluster: Uint8Array): ClusterBlocks {
  try {
    return readClusterBlocks(cluster);
  } catch (error) {
    if (error instanceof EbmlError) {
      throw invalidFrame(
        `Fragment ${fragment.fragmentNumber} could not be parsed: ${error.message}`,
      );
    }
    throw error;
  }
}

/** Pass 1: headers, track plan, block layout and frame counts; stops at the first header change. */
async function prepare(
  store: FragmentStore,
  fragments: readonly FragmentRecord[],
  signal: AbortSignal | undefined,
) {
  const headers = new Map<string, PreparedHeader>();
  const prepared: PreparedFragment[] = [];
  const counts = { video: 0, audio: 0 };
  let plan: ClipTrackPlan | undefined;
  for (const record of fragments) {
    signal?.throwIfAborted();
    let header = headers.get(record.headerId);
    if (!header) {
      header = await prepareHeader(store, record);
      headers.set(record.headerId, header);
    }
    plan ??= header.plan;
    // One MP4 track holds one codec configuration: a producer that restarted with other
    // parameters ends the clip, as the 200-fragment and 100 MB limits do.
    if (!sameClipTracks(plan, header.plan)) break;
    const blocks = readBlocks(record, await readStoredCluster(store, record));
    counts.video += blocks.framesByTrack.get(plan.video.trackNumber) ?? 0;
    if (plan.audio) counts.audio += blocks.framesByTrack.get(plan.audio.trackNumber) ?? 0;
    prepared.push({ record, header: header.header, blocks });
  }
  if (!plan) throw new Error("no fragments to prepare");
  return { plan, prepared, counts };
}

export async function buildClip(
  store: FragmentStore,
  fragments: readonly FragmentRecord[],
  signal?: AbortSignal,
): Promise<BuiltClip> {
  const { plan, prepared, counts } = await prepare(store, fragments, signal);
  if (counts.video === 0) throw invalidFrame("The selected fragments hold no video frames.");

  const dir = await makeClipDirectory();
  const dispose = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, "clip.mp4");
  let writer: Mp4ClipWriter | undefined;
  try {
    writer = await Mp4ClipWriter.create(path, plan, counts);
    const origin = prepared[0]?.record.producerTimestampMs ?? 0;
    for (const { record, header, blocks } of prepared) {
      signal?.throwIfAborted();
      const cluster = await readStoredCluster(store, record);
      const startSec = (record.producerTimestampMs - origin) / 1000;
      await writer.addFragment(clipInputDocument(header, cluster, blocks), startSec);
    }
    await writer.finish();
    const { size } = await stat(path);
    return {
      path,
      sizeBytes: size,
      fragments: prepared.map((p) => p.record),
      videoFrames: writer.videoPackets,
      dispose,
    };
  } catch (error) {
    await writer?.abort().catch(() => {});
    await dispose();
    if (error instanceof ClipMediaError) {
      throw invalidFrame(`One or more frames could not be parsed: ${error.message}`);
    }
    throw error;
  }
}
