// One stored fragment's packets per track, demuxed by mediabunny from the same standalone
// Matroska document GetClip reads (the producer's header with the fragment's blocks in a Cluster
// whose Timecode is 0), so packet timestamps are relative to the fragment's start. No decoding.
import { BufferSource, type EncodedPacket, EncodedPacketSink, Input, MATROSKA } from "mediabunny";
import { EbmlError } from "../../../mkv/ebml/primitives.ts";
import { KvsServiceError, resourceNotFound } from "../../errors.ts";
import { isStoredMediaGone } from "../../store/local-fragment-store.ts";
import type { FragmentRecord, FragmentStore, HeaderRecord } from "../../store/types.ts";
import { readBlocks, readStoredCluster } from "../clip/build-clip.ts";
import { parseClipHeader } from "../clip/clip-header.ts";
import { clipInputDocument } from "../clip/clip-input-document.ts";
import type { PlaybackTrack } from "./playback-tracks.ts";

export type TrackDecoderConfig = VideoDecoderConfig | AudioDecoderConfig;

export interface TrackMedia {
  /** Timestamps in seconds from the fragment's start. */
  packets: EncodedPacket[];
  decoderConfig: TrackDecoderConfig;
}

const invalidFrame = (message: string) =>
  new KvsServiceError("InvalidMediaFrameException", message);

export async function readFragmentHeader(
  store: FragmentStore,
  fragment: FragmentRecord,
): Promise<HeaderRecord> {
  try {
    return await store.readHeader(fragment.headerId);
  } catch (error) {
    if (isStoredMediaGone(error))
      throw resourceNotFound(`Fragment ${fragment.fragmentNumber} is no longer available.`);
    throw error;
  }
}

/** mediabunny's Matroska reader leaves A_MS/ACM (G.711) without a decoder config; the plan has it. */
function fallbackConfig(track: PlaybackTrack): TrackDecoderConfig | undefined {
  if (track.kind !== "audio") return undefined;
  return {
    codec: track.codec === "aac" ? "mp4a.40.2" : track.codec,
    sampleRate: track.sampleRate,
    numberOfChannels: track.channels,
    ...(track.codec === "aac" ? { description: track.codecPrivate } : {}),
  };
}

/** The fragment's packets of `track`. */
export async function readTrackMedia(
  store: FragmentStore,
  fragment: FragmentRecord,
  track: PlaybackTrack,
): Promise<TrackMedia> {
  const header = await readFragmentHeader(store, fragment);
  const cluster = await readStoredCluster(store, fragment);
  let document: Uint8Array;
  try {
    document = clipInputDocument(
      parseClipHeader(header.bytes),
      cluster,
      readBlocks(fragment, cluster),
    );
  } catch (error) {
    if (error instanceof EbmlError)
      throw invalidFrame(`Fragment ${fragment.fragmentNumber}: ${error.message}`);
    throw error;
  }
  const input = new Input({ source: new BufferSource(document), formats: [MATROSKA] });
  try {
    const found = (await input.getTracks()).find((t) => t.id === track.trackNumber);
    const demuxed =
      found?.isVideoTrack() || found?.isAudioTrack() ? await found.getDecoderConfig() : null;
    const decoderConfig = demuxed ?? fallbackConfig(track);
    if (!found || !decoderConfig) {
      throw invalidFrame(
        `Fragment ${fragment.fragmentNumber} has no readable track ${track.trackNumber}.`,
      );
    }
    const packets: EncodedPacket[] = [];
    for await (const packet of new EncodedPacketSink(found).packets()) packets.push(packet);
    return { packets, decoderConfig };
  } catch (error) {
    if (error instanceof KvsServiceError) throw error;
    throw invalidFrame(
      `Fragment ${fragment.fragmentNumber} could not be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    input.dispose();
  }
}
