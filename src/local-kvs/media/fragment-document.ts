// One fragment as GetMedia (and GetMediaForFragmentList) sends it: a self-contained MKV
// document — the producer's EBML header and Segment start (8-byte unknown size) with its Info
// and Tracks, the KVS tags, the Cluster exactly as ingested, then the closing KVS tags.

import { concatBytes } from "../../mkv/ebml/primitives.ts";
import { GET_MEDIA_ERROR_IDS } from "../../mkv/kvs-tags/error-ids.ts";
import { errorTags, postClusterTags, preClusterTags } from "../../mkv/kvs-tags/writer.ts";
import type { FragmentRecord, FragmentStore, HeaderRecord } from "../store/types.ts";

export async function fragmentDocument(
  store: FragmentStore,
  fragment: FragmentRecord,
  nowMs: number,
  headers: Map<string, HeaderRecord> = new Map(),
): Promise<Uint8Array[]> {
  let header = headers.get(fragment.headerId);
  if (!header) {
    header = await store.readHeader(fragment.headerId);
    headers.set(fragment.headerId, header);
  }
  const cluster = await store.readCluster(fragment);
  return [
    header.bytes,
    preClusterTags(fragment),
    cluster,
    postClusterTags({
      millisBehindNow: nowMs - fragment.serverTimestampMs,
      continuationToken: fragment.fragmentNumber,
    }),
  ];
}

/** EBML header of a minimal Matroska document, for error reports with no producer header. */
const MINIMAL_EBML_AND_SEGMENT = Uint8Array.from([
  // EBML { EBMLVersion 1, EBMLReadVersion 1, MaxIDLength 4, MaxSizeLength 8, DocType "matroska",
  //        DocTypeVersion 4, DocTypeReadVersion 2 }
  0x1a, 0x45, 0xdf, 0xa3, 0xa3, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81,
  0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x88, 0x6d, 0x61, 0x74, 0x72, 0x6f, 0x73, 0x6b, 0x61,
  0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02,
  // Segment, unknown size
  0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
]);

/** A document that reports a failure that ends the response. */
export function errorDocument(errorId: number, fragmentNumber?: string): Uint8Array {
  return concatBytes([
    MINIMAL_EBML_AND_SEGMENT,
    errorTags({
      ...(fragmentNumber !== undefined ? { fragmentNumber } : {}),
      errorCode: GET_MEDIA_ERROR_IDS[errorId]?.code ?? "INTERNAL_ERROR",
      errorId,
    }),
  ]);
}
