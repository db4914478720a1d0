// What only the clip tests need: GetClip through the SDK (a selector from a range, the payload to a
// file, the exception it answers with), the clip length fragments promise, and downloads over
// plain HTTP from the gateway's clip route.

import { writeFile } from "node:fs/promises";
import {
  type ClipFragmentSelectorType,
  type Fragment,
  GetClipCommand,
  type KinesisVideoArchivedMediaClient,
} from "@aws-sdk/client-kinesis-video-archived-media";

export interface ClipRange {
  type?: ClipFragmentSelectorType;
  startMs: number;
  endMs: number;
}

export const selector = ({ type = "PRODUCER_TIMESTAMP", startMs, endMs }: ClipRange) => ({
  FragmentSelectorType: type,
  TimestampRange: { StartTimestamp: new Date(startMs), EndTimestamp: new Date(endMs) },
});

/** GetClip through the SDK, the payload written to `file`; returns the ContentType. */
export async function getClipToFile(
  client: KinesisVideoArchivedMediaClient,
  streamName: string,
  range: ClipRange,
  file: string,
): Promise<string | undefined> {
  const out = await client.send(
    new GetClipCommand({ StreamName: streamName, ClipFragmentSelector: selector(range) }),
  );
  const payload = out.Payload;
  if (!payload) throw new Error("GetClip returned no payload");
  await writeFile(file, await payload.transformToByteArray());
  return out.ContentType;
}

/** The exception name GetClip answers with (undefined on success). */
export async function getClipError(
  client: KinesisVideoArchivedMediaClient,
  input: { StreamName: string } & ClipRange,
): Promise<string | undefined> {
  try {
    const out = await client.send(
      new GetClipCommand({ StreamName: input.StreamName, ClipFragmentSelector: selector(input) }),
    );
    await out.Payload?.transformToByteArray();
    return undefined;
  } catch (error) {
    return (error as { name?: string }).name;
  }
}

/** Clip length the fragments promise: first start to the end of the last one. */
export function spanSeconds(fragments: readonly Fragment[]): number {
  const first = fragments[0];
  const last = fragments.at(-1);
  if (!first || !last) return 0;
  const startMs = first.ProducerTimestamp?.getTime() ?? 0;
  const lastMs = last.ProducerTimestamp?.getTime() ?? 0;
  return (lastMs - startMs + (last.FragmentLengthInMilliseconds ?? 0)) / 1000;
}

export interface Download {
  status: number;
  headers: Headers;
  body: Buffer;
}

export async function download(url: string, init?: RequestInit): Promise<Download> {
  const response = await fetch(url, init);
  return {
    status: response.status,
    headers: response.headers,
    body: Buffer.from(await response.arrayBuffer()),
  };
}
