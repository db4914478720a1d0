// Writes the Tags groups KVS inserts into GetMedia output around each Cluster. Like real KVS,
// every element of the group (Tags, Tag, SimpleTag, TagName, TagString) has a 4-byte size
// field, and all pairs sit in one Tag without Targets (see fixtures/getmedia README, point 5).

import { element, ID } from "../ebml/primitives.ts";
import { KVS_TAG } from "./names.ts";

const SIZE_WIDTH = 4;
const encoder = new TextEncoder();

/** A Tags element holding one Tag with one SimpleTag per (name, value) pair, in order. */
export function kvsTagsElement(pairs: ReadonlyArray<readonly [string, string]>): Uint8Array {
  const simpleTags = pairs.map(([name, value]) =>
    element(
      ID.SimpleTag,
      [
        element(ID.TagName, encoder.encode(name), SIZE_WIDTH),
        element(ID.TagString, encoder.encode(value), SIZE_WIDTH),
      ],
      SIZE_WIDTH,
    ),
  );
  return element(ID.Tags, [element(ID.Tag, simpleTags, SIZE_WIDTH)], SIZE_WIDTH);
}

/** Epoch ms → decimal seconds with exactly three decimals ("1519423069.070"). */
export function formatTimestampSeconds(ms: number): string {
  const whole = Math.round(ms);
  const sign = whole < 0 ? "-" : "";
  const abs = Math.abs(whole);
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, "0")}`;
}

/** The group before a fragment's Cluster. */
export function preClusterTags(fragment: {
  fragmentNumber: string;
  serverTimestampMs: number;
  producerTimestampMs: number;
}): Uint8Array {
  return kvsTagsElement([
    [KVS_TAG.FragmentNumber, fragment.fragmentNumber],
    [KVS_TAG.ServerTimestamp, formatTimestampSeconds(fragment.serverTimestampMs)],
    [KVS_TAG.ProducerTimestamp, formatTimestampSeconds(fragment.producerTimestampMs)],
  ]);
}

/** The group after a fragment's Cluster. */
export function postClusterTags(fragment: {
  millisBehindNow: number;
  continuationToken: string;
}): Uint8Array {
  return kvsTagsElement([
    [KVS_TAG.MillisBehindNow, String(Math.max(0, Math.round(fragment.millisBehindNow)))],
    [KVS_TAG.ContinuationToken, fragment.continuationToken],
  ]);
}

/**
 * The group that reports a failure that ended a GetMedia response. With the fragment number and
 * no SERVER_TIMESTAMP, readers such as the Java parser treat it as an error fragment.
 */
export function errorTags(error: {
  fragmentNumber?: string;
  errorCode: string;
  errorId: number;
}): Uint8Array {
  const pairs: Array<readonly [string, string]> = [];
  if (error.fragmentNumber !== undefined)
    pairs.push([KVS_TAG.FragmentNumber, error.fragmentNumber]);
  pairs.push([KVS_TAG.ErrorCode, error.errorCode], [KVS_TAG.ErrorId, String(error.errorId)]);
  return kvsTagsElement(pairs);
}
