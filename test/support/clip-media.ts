// Plumbing for the clip tests: a kvs-local on port 0, streams, PutMedia ingest, GetClip through the
// SDK's GET_CLIP data endpoint, and ffprobe.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { CreateStreamCommand } from "@aws-sdk/client-kinesis-video";
import {
  type ClipFragmentSelectorType,
  type Fragment,
  GetClipCommand,
  KinesisVideoArchivedMediaClient,
  ListFragmentsCommand,
} from "@aws-sdk/client-kinesis-video-archived-media";
import { createLocalKvs, type LocalKvs, type LocalKvsOptions } from "../../src/local-kvs/index.ts";
import { controlPlane, dataEndpoint, ingest, persistedNumbers } from "./kvs-local-helpers.ts";

export const run = promisify(execFile);

export interface ClipBackend {
  kvs: LocalKvs;
  endpoint: string;
  /** A scratch directory, removed by `stop`. */
  dir: string;
  stop(): Promise<void>;
}

export async function startBackend(options: LocalKvsOptions = {}): Promise<ClipBackend> {
  const kvs = await createLocalKvs({
    port: 0,
    inMemory: true,
    getClipRatePerSecond: 0,
    ...options,
  });
  const dir = await mkdtemp(path.join(tmpdir(), "kvs-clip-test-"));
  return {
    kvs,
    endpoint: kvs.endpoint,
    dir,
    async stop() {
      await kvs.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function createStream(
  endpoint: string,
  streamName: string,
  dataRetentionInHours = 24,
): Promise<void> {
  const client = controlPlane(endpoint);
  try {
    await client.send(
      new CreateStreamCommand({
        StreamName: streamName,
        DataRetentionInHours: dataRetentionInHours,
      }),
    );
  } finally {
    client.destroy();
  }
}

/** PutMedia with RELATIVE timecodes from `producerStartMs`; returns the persisted fragment numbers. */
export async function ingestAt(
  endpoint: string,
  streamName: string,
  mkv: Uint8Array,
  producerStartMs: number,
): Promise<string[]> {
  const acks = await ingest(endpoint, streamName, mkv, {
    timecodeType: "RELATIVE",
    producerStartTimestampMs: producerStartMs,
  });
  const errors = acks.filter((a) => a.EventType === "ERROR");
  if (errors.length > 0) throw new Error(`PutMedia errors: ${JSON.stringify(errors)}`);
  return persistedNumbers(acks);
}

const clientConfig = (endpoint: string) => ({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
  maxAttempts: 1,
});

/** An archived-media client on the data endpoint GetDataEndpoint gives for `apiName`. */
export async function archivedClient(
  endpoint: string,
  streamName: string,
  apiName: "GET_CLIP" | "LIST_FRAGMENTS" | "GET_MEDIA_FOR_FRAGMENT_LIST" = "GET_CLIP",
): Promise<KinesisVideoArchivedMediaClient> {
  return new KinesisVideoArchivedMediaClient(
    clientConfig(await dataEndpoint(endpoint, streamName, apiName)),
  );
}

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

/** Every fragment of a stream whose producer timestamp is in the range, sorted by it. */
export async function listByProducer(
  endpoint: string,
  streamName: string,
  startMs: number,
  endMs: number,
): Promise<Fragment[]> {
  const client = await archivedClient(endpoint, streamName, "LIST_FRAGMENTS");
  try {
    const fragments: Fragment[] = [];
    let token: string | undefined;
    do {
      const out = await client.send(
        new ListFragmentsCommand({
          StreamName: streamName,
          MaxResults: 1000,
          ...(token
            ? { NextToken: token }
            : {
                FragmentSelector: {
                  FragmentSelectorType: "PRODUCER_TIMESTAMP",
                  TimestampRange: {
                    StartTimestamp: new Date(startMs),
                    EndTimestamp: new Date(endMs),
                  },
                },
              }),
        }),
      );
      fragments.push(...(out.Fragments ?? []));
      token = out.NextToken;
    } while (token);
    return fragments.sort(
      (a, b) => (a.ProducerTimestamp?.getTime() ?? 0) - (b.ProducerTimestamp?.getTime() ?? 0),
    );
  } finally {
    client.destroy();
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

export interface Probe {
  formatName: string;
  majorBrand: string | undefined;
  duration: number;
  video: { codec: string; frames: number; start: number } | undefined;
  audio: { codec: string; frames: number } | undefined;
}

interface FfprobeJson {
  format?: { format_name?: string; duration?: string; tags?: { major_brand?: string } };
  streams?: Array<{
    codec_type?: string;
    codec_name?: string;
    nb_read_packets?: string;
    start_time?: string;
  }>;
}

/** ffprobe's view of a media file (packet counts read from the container). */
export async function ffprobe(file: string): Promise<Probe> {
  const { stdout } = await run("ffprobe", [
    "-v",
    "error",
    "-count_packets",
    "-show_entries",
    "format=format_name,duration:format_tags=major_brand:stream=codec_type,codec_name,nb_read_packets,start_time",
    "-of",
    "json",
    file,
  ]);
  const json = JSON.parse(stdout) as FfprobeJson;
  const stream = (type: string) => json.streams?.find((s) => s.codec_type === type);
  const video = stream("video");
  const audio = stream("audio");
  return {
    formatName: json.format?.format_name ?? "",
    majorBrand: json.format?.tags?.major_brand?.trim(),
    duration: Number(json.format?.duration ?? Number.NaN),
    video: video
      ? {
          codec: video.codec_name ?? "",
          frames: Number(video.nb_read_packets),
          start: Number(video.start_time),
        }
      : undefined,
    audio: audio
      ? { codec: audio.codec_name ?? "", frames: Number(audio.nb_read_packets) }
      : undefined,
  };
}

/** Decodes every frame; rejects with ffmpeg's complaint when the file does not play. */
export async function decodes(file: string): Promise<void> {
  const { stderr } = await run("ffmpeg", ["-v", "error", "-i", file, "-f", "null", "-"]);
  if (stderr.trim() !== "") throw new Error(`ffmpeg: ${stderr}`);
}

/** Box types at the top level of an ISO BMFF file, in order. */
export async function topLevelBoxes(file: string): Promise<string[]> {
  const bytes = await readFile(file);
  const boxes: string[] = [];
  for (let at = 0; at + 8 <= bytes.length; ) {
    let size = bytes.readUInt32BE(at);
    if (size === 1) size = Number(bytes.readBigUInt64BE(at + 8));
    boxes.push(bytes.toString("latin1", at + 4, at + 8));
    if (size < 8) break;
    at += size;
  }
  return boxes;
}
