// Scenario setup shared by the kvs-local suites: an in-memory backend with its streams (or the CLI
// as its own process), a fixture ingested through PutMedia, and the plain reads the suites make
// through the SDK, always via the endpoints GetDataEndpoint returns, as production code does.

import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
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
} from "./kvs-local-helpers.ts";

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

export interface LocalKvsProcess {
  child: ChildProcess;
  endpoint: string;
}

const REPO = path.resolve(import.meta.dirname, "../..");

/**
 * Starts `src/local-kvs/cli.ts` as its own node process (so that a SIGKILL hits the server itself)
 * on an ephemeral port, quiet, with `args` added; resolves with its endpoint once it listens.
 */
export async function spawnLocalKvs(args: readonly string[]): Promise<LocalKvsProcess> {
  const child = spawn(
    process.execPath,
    ["src/local-kvs/cli.ts", "--port", "0", "--quiet", ...args],
    { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] },
  );
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let out = "";
      let err = "";
      const timer = setTimeout(() => reject(new Error(`kvs-local did not start: ${err}`)), 30_000);
      child.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening: (http:\/\/\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1] as string);
        }
      });
      child.stderr?.on("data", (chunk: Buffer) => {
        err += chunk.toString();
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`kvs-local exited (${code}): ${err}`));
      });
    });
    return { child, endpoint };
  } catch (error) {
    await killLocalKvs({ child, endpoint: "" });
    throw error;
  }
}

/** SIGKILL, as a crash would; resolves once the process is gone. */
export async function killLocalKvs(server: LocalKvsProcess): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGKILL");
  await exited;
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
