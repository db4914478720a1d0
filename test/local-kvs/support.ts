// Scenario setup shared by the kvs-local suites: an in-memory backend with its streams, a
// fixture ingested through PutMedia, and the plain reads the suites make through the SDK.
// Everything goes through the endpoints GetDataEndpoint returns, as production code does.

import { CreateStreamCommand } from "@aws-sdk/client-kinesis-video";
import {
  type Fragment,
  ListFragmentsCommand,
  type ListFragmentsCommandInput,
} from "@aws-sdk/client-kinesis-video-archived-media";
import { createLocalKvs, type LocalKvs, type LocalKvsOptions } from "../../src/local-kvs/index.ts";
import type { PutMediaAck } from "../../src/local-kvs/producer/put-media-client.ts";
import {
  archivedMedia,
  controlPlane,
  fixture,
  type GetMediaDocument,
  ingest,
  kvsTags,
  mediaClient,
  persistedNumbers,
  readGetMedia,
  splitGetMedia,
} from "./helpers.ts";

/** Creates each stream through the control plane (retention left at its default when not given). */
export async function createStreams(
  endpoint: string,
  names: readonly string[],
  retentionHours?: number,
): Promise<void> {
  const client = controlPlane(endpoint);
  try {
    for (const name of names) {
      await client.send(
        new CreateStreamCommand({
          StreamName: name,
          ...(retentionHours === undefined ? {} : { DataRetentionInHours: retentionHours }),
        }),
      );
    }
  } finally {
    client.destroy();
  }
}

/** An in-memory kvs-local on an ephemeral port, with `streams` already created. */
export async function startLocalKvs(
  streams: readonly string[] = [],
  options: Omit<LocalKvsOptions, "inMemory" | "dataDir"> & { retentionHours?: number } = {},
): Promise<LocalKvs> {
  const { retentionHours, ...kvsOptions } = options;
  const kvs = await createLocalKvs({ ...kvsOptions, inMemory: true });
  try {
    await createStreams(kvs.endpoint, streams, retentionHours);
  } catch (error) {
    await kvs.stop();
    throw error;
  }
  return kvs;
}

export interface IngestedFixture {
  file: Uint8Array;
  acks: PutMediaAck[];
  /** Fragment numbers of the PERSISTED acks, in order. */
  numbers: string[];
}

/** PutMedia of a whole fixture file (see `ingest` for the options). */
export async function ingestFixture(
  endpoint: string,
  streamName: string,
  fixtureName: string,
  options?: Parameters<typeof ingest>[3],
): Promise<IngestedFixture> {
  const file = fixture(fixtureName);
  const acks = await ingest(endpoint, streamName, file, options);
  return { file, acks, numbers: persistedNumbers(acks) };
}

/** GetMedia from EARLIEST until `fragments` complete fragments arrived, split into documents. */
export async function readEarliest(
  endpoint: string,
  streamName: string,
  fragments: number,
): Promise<GetMediaDocument[]> {
  const client = await mediaClient(endpoint, streamName);
  try {
    const body = await readGetMedia(
      client,
      { StreamName: streamName, StartSelector: { StartSelectorType: "EARLIEST" } },
      fragments,
    );
    return splitGetMedia(body);
  } finally {
    client.destroy();
  }
}

/** One ListFragments call, its fragments sorted by fragment number. */
export async function listFragments(
  endpoint: string,
  streamName: string,
  input: Omit<ListFragmentsCommandInput, "StreamName" | "StreamARN"> = {},
): Promise<Fragment[]> {
  const client = await archivedMedia(endpoint, streamName);
  try {
    const out = await client.send(new ListFragmentsCommand({ ...input, StreamName: streamName }));
    return [...(out.Fragments ?? [])].sort((a, b) =>
      (a.FragmentNumber ?? "") < (b.FragmentNumber ?? "") ? -1 : 1,
    );
  } finally {
    client.destroy();
  }
}

export const fragmentNumberOf = (doc: GetMediaDocument): string | undefined =>
  kvsTags(doc).get("AWS_KINESISVIDEO_FRAGMENT_NUMBER");

/** Whether a GetMedia document carries exactly `cluster`, byte for byte. */
export const carriesCluster = (doc: GetMediaDocument, cluster: Uint8Array | undefined): boolean =>
  cluster !== undefined && Buffer.from(doc.cluster ?? []).equals(Buffer.from(cluster));
