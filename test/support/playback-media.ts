// Plumbing for the HLS/DASH tests: session URLs from kvs-local through the SDK (on the data
// endpoint GetDataEndpoint names), the resources behind them fetched as a player would, and
// ffprobe frame counts of what a URL plays.

import { writeFile } from "node:fs/promises";
import {
  GetDASHStreamingSessionURLCommand,
  type GetDASHStreamingSessionURLCommandInput,
  GetHLSStreamingSessionURLCommand,
  type GetHLSStreamingSessionURLCommandInput,
  KinesisVideoArchivedMediaClient,
} from "@aws-sdk/client-kinesis-video-archived-media";
import { dataEndpoint } from "./kvs-local.ts";
import { run } from "./media.ts";
import { buildMkv, demoSample, demoTracks, type TrackSpec } from "./mkv.ts";

const clientConfig = (endpoint: string) => ({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
  maxAttempts: 1,
});

export async function hlsUrl(
  endpoint: string,
  input: GetHLSStreamingSessionURLCommandInput & { StreamName: string },
): Promise<string> {
  const data = await dataEndpoint(endpoint, input.StreamName, "GET_HLS_STREAMING_SESSION_URL");
  const client = new KinesisVideoArchivedMediaClient(clientConfig(data));
  try {
    const out = await client.send(new GetHLSStreamingSessionURLCommand(input));
    if (!out.HLSStreamingSessionURL) throw new Error("no HLSStreamingSessionURL");
    return out.HLSStreamingSessionURL;
  } finally {
    client.destroy();
  }
}

export async function dashUrl(
  endpoint: string,
  input: GetDASHStreamingSessionURLCommandInput & { StreamName: string },
): Promise<string> {
  const data = await dataEndpoint(endpoint, input.StreamName, "GET_DASH_STREAMING_SESSION_URL");
  const client = new KinesisVideoArchivedMediaClient(clientConfig(data));
  try {
    const out = await client.send(new GetDASHStreamingSessionURLCommand(input));
    if (!out.DASHStreamingSessionURL) throw new Error("no DASHStreamingSessionURL");
    return out.DASHStreamingSessionURL;
  } finally {
    client.destroy();
  }
}

/** The exception name an HLS session request is answered with (undefined on success). */
export async function hlsError(
  endpoint: string,
  input: GetHLSStreamingSessionURLCommandInput & { StreamName: string },
): Promise<string | undefined> {
  try {
    await hlsUrl(endpoint, input);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.name : String(error);
  }
}

export interface FetchedText {
  status: number;
  errorType: string | null;
  text: string;
}

export async function fetchText(url: string | URL): Promise<FetchedText> {
  const response = await fetch(url);
  return {
    status: response.status,
    errorType: response.headers.get("x-amzn-errortype"),
    text: await response.text(),
  };
}

/** The URI lines of a playlist, resolved against it. */
export function playlistUris(playlistUrl: string | URL, text: string): URL[] {
  return text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => new URL(line, playlistUrl));
}

/** The video playlist a master playlist names first. */
export async function videoPlaylistUrl(masterUrl: string): Promise<URL> {
  const master = await fetchText(masterUrl);
  const first = playlistUris(masterUrl, master.text)[0];
  if (!first) throw new Error(`no media playlist in ${master.text}`);
  return first;
}

export interface PlayedFrames {
  video: number;
  audio: number;
  videoCodec: string | undefined;
  audioCodec: string | undefined;
}

/** Frames ffprobe reads from what a URL or file plays (every stream it finds). */
export async function probeFrames(source: string): Promise<PlayedFrames> {
  const { stdout } = await run("ffprobe", [
    ...[
      "-v",
      "error",
      "-count_packets",
      "-show_entries",
      "stream=codec_type,codec_name,nb_read_packets",
    ],
    ...["-of", "json", source],
  ]);
  const streams = (JSON.parse(stdout) as { streams?: Array<Record<string, string>> }).streams ?? [];
  const of = (type: string) => streams.find((s) => s.codec_type === type);
  return {
    video: Number(of("video")?.nb_read_packets ?? 0),
    audio: Number(of("audio")?.nb_read_packets ?? 0),
    videoCodec: of("video")?.codec_name,
    audioCodec: of("audio")?.codec_name,
  };
}

/** The init and newest media fragment of an fMP4 media playlist, joined into one playable file. */
export async function newestSegmentFile(playlistUrl: URL, file: string): Promise<void> {
  const text = (await fetchText(playlistUrl)).text;
  const maps = [...text.matchAll(/#EXT-X-MAP:URI="([^"]+)"/g)].map((m) => m[1] as string);
  const last = playlistUris(playlistUrl, text).at(-1);
  const initUri = maps.at(-1);
  if (!last || !initUri) throw new Error(`no fragment in ${text}`);
  const parts = await Promise.all(
    [new URL(initUri, playlistUrl), last].map(
      async (u) => new Uint8Array(await (await fetch(u)).arrayBuffer()),
    ),
  );
  await writeFile(file, Buffer.concat(parts));
}

export interface CodecErrorCase {
  stream: string;
  tracks: TrackSpec[];
  /** The GraphQL type; the KVS exception is this + "Exception". */
  error: string;
}

/** Streams whose tracks no playback session takes, and what KVS answers for each. */
export function codecErrorCases(): CodecErrorCase[] {
  const [video, audio] = demoTracks() as [TrackSpec, TrackSpec];
  const wave = new Uint8Array(18);
  new DataView(wave.buffer).setUint16(0, 6, true); // WAVE_FORMAT_ALAW
  new DataView(wave.buffer).setUint16(2, 1, true);
  new DataView(wave.buffer).setUint32(4, 8000, true);
  const unsupported = "UnsupportedStreamMediaType";
  return [
    { stream: "vp8", tracks: [{ ...video, codecId: "V_VP8" }], error: unsupported },
    // G.711 plays over DASH, not HLS.
    {
      stream: "alaw",
      tracks: [video, { ...audio, codecId: "A_MS/ACM", codecPrivate: wave }],
      error: unsupported,
    },
    {
      stream: "no-private",
      tracks: [{ number: 1, type: 1, codecId: "V_MPEG4/ISO/AVC" }],
      error: "MissingCodecPrivateData",
    },
    {
      stream: "bad-private",
      tracks: [{ ...video, codecPrivate: Uint8Array.of(0, 0, 0, 0, 0, 0, 0) }],
      error: "InvalidCodecPrivateData",
    },
  ];
}

/** The demo sample's first two Clusters under `tracks`, as a PutMedia body. */
export function twoFragmentsWith(tracks: TrackSpec[]): Uint8Array {
  const clusters = demoSample()
    .clusters.slice(0, 2)
    .map((c, i) => ({ timecode: i * 1000, blocks: c.blocks }));
  return buildMkv(tracks, clusters);
}
