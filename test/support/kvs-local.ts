// kvs-local for the suites: started in this process (in memory, or on disk with `dataDir`) or as
// its own node process, its streams created through the control plane, SDK clients pointed at it,
// and the plain reads the suites make through the SDK, always via the endpoints GetDataEndpoint
// returns, as production code does. Media goes in through seed.ts.

import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import {
  type APIName,
  CreateStreamCommand,
  GetDataEndpointCommand,
  KinesisVideoClient,
} from "@aws-sdk/client-kinesis-video";
import {
  type Fragment,
  KinesisVideoArchivedMediaClient,
  ListFragmentsCommand,
  type ListFragmentsCommandInput,
} from "@aws-sdk/client-kinesis-video-archived-media";
import {
  GetMediaCommand,
  type GetMediaCommandInput,
  KinesisVideoMediaClient,
} from "@aws-sdk/client-kinesis-video-media";
import { type KvsClientOptions, KvsClients } from "../../src/kvs/core/clients.ts";
import { createLocalKvs, type LocalKvs, type LocalKvsOptions } from "../../src/local-kvs/index.ts";
import { completeFragments, type GetMediaDocument, kvsTags, splitGetMedia } from "./mkv.ts";

// ---- starting and stopping ----

export interface StartLocalKvsOptions extends Omit<LocalKvsOptions, "inMemory"> {
  /** Retention of the streams created at start (default 24 h, as in `createStreams`). */
  dataRetentionInHours?: number;
}

/**
 * kvs-local in this process on an ephemeral port, with `streams` already created: in memory, or
 * durable in `dataDir` when one is given.
 */
export async function startLocalKvs(
  streams: readonly string[] = [],
  options: StartLocalKvsOptions = {},
): Promise<LocalKvs> {
  const { dataRetentionInHours, ...kvsOptions } = options;
  const kvs = await createLocalKvs({
    port: 0,
    ...kvsOptions,
    inMemory: kvsOptions.dataDir === undefined,
  });
  try {
    await createStreams(kvs.endpoint, streams, { dataRetentionInHours });
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

/** Ends a spawned kvs-local with `signal`; resolves once the process is gone. */
export async function stopLocalKvsProcess(
  server: LocalKvsProcess,
  signal: "SIGTERM" | "SIGKILL" = "SIGTERM",
): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill(signal);
  await exited;
}

/** SIGKILL, as a crash would; resolves once the process is gone. */
export const killLocalKvs = (server: LocalKvsProcess): Promise<void> =>
  stopLocalKvsProcess(server, "SIGKILL");

// ---- streams ----

export interface StreamOptions {
  /** Default 24 h: fragments stay listable and clippable (0 = no retention, KVS's default). */
  dataRetentionInHours?: number | undefined;
  mediaType?: string;
  deviceName?: string;
}

/** Creates streams by name through the control plane and returns their ARNs in the same order. */
export async function createStreams(
  endpoint: string,
  names: readonly string[],
  options: StreamOptions = {},
): Promise<string[]> {
  const client = controlPlane(endpoint);
  try {
    const arns: string[] = [];
    for (const name of names) {
      const output = await client.send(
        new CreateStreamCommand({
          StreamName: name,
          DataRetentionInHours: options.dataRetentionInHours ?? 24,
          MediaType: options.mediaType,
          DeviceName: options.deviceName,
        }),
      );
      if (!output.StreamARN) throw new Error(`CreateStream ${name} returned no ARN`);
      arns.push(output.StreamARN);
    }
    return arns;
  } finally {
    client.destroy();
  }
}

// ---- SDK clients ----

/** SDK client settings; one attempt unless a test wants the SDK's retries. */
export const clientConfig = (endpoint: string, maxAttempts = 1) => ({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
  maxAttempts,
});

export function controlPlane(endpoint: string, maxAttempts = 1): KinesisVideoClient {
  return new KinesisVideoClient(clientConfig(endpoint, maxAttempts));
}

/** The gateway's own client set (src/kvs/core) pointed at kvs-local, one attempt per call. */
export function kvsClients(endpoint: string, options: Partial<KvsClientOptions> = {}): KvsClients {
  return new KvsClients({ ...clientConfig(endpoint), ...options });
}

/** The data endpoint for `apiName`, as production code gets it. */
export async function dataEndpoint(
  endpoint: string,
  streamName: string,
  apiName: APIName,
): Promise<string> {
  const client = controlPlane(endpoint);
  try {
    const out = await client.send(
      new GetDataEndpointCommand({ StreamName: streamName, APIName: apiName }),
    );
    if (!out.DataEndpoint) throw new Error("no DataEndpoint");
    return out.DataEndpoint;
  } finally {
    client.destroy();
  }
}

/** An archived-media client on the data endpoint GetDataEndpoint gives for `apiName`. */
export async function archivedMedia(
  endpoint: string,
  streamName: string,
  apiName:
    | "LIST_FRAGMENTS"
    | "GET_CLIP"
    | "GET_MEDIA_FOR_FRAGMENT_LIST"
    | "GET_IMAGES" = "LIST_FRAGMENTS",
): Promise<KinesisVideoArchivedMediaClient> {
  return new KinesisVideoArchivedMediaClient(
    clientConfig(await dataEndpoint(endpoint, streamName, apiName)),
  );
}

/** A GetMedia client on the GET_MEDIA data endpoint. */
export async function mediaClient(
  endpoint: string,
  streamName: string,
): Promise<KinesisVideoMediaClient> {
  return new KinesisVideoMediaClient(
    clientConfig(await dataEndpoint(endpoint, streamName, "GET_MEDIA")),
  );
}

// ---- reads ----

export interface OpenGetMedia {
  contentType: string | undefined;
  /** Reads until `fragments` complete fragments arrived in total (the response stays open). */
  readFragments(fragments: number, timeoutMs?: number): Promise<Uint8Array>;
  /** Everything received so far. */
  received(): Uint8Array;
  close(): void;
}

/** Sends GetMedia through the SDK and resolves once the response headers arrived. */
export async function openGetMedia(
  client: KinesisVideoMediaClient,
  input: GetMediaCommandInput,
): Promise<OpenGetMedia> {
  const abort = new AbortController();
  const out = await client.send(new GetMediaCommand(input), { abortSignal: abort.signal });
  const payload = out.Payload as unknown as AsyncIterable<Uint8Array> & { destroy?: () => void };
  const iterator = payload[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  const all = () => new Uint8Array(Buffer.concat(chunks));
  const completeCount = (buf: Uint8Array) => {
    if (completeFragments(buf) === 0) return 0;
    return splitGetMedia(buf, true).filter((d) =>
      kvsTags(d).has("AWS_KINESISVIDEO_CONTINUATION_TOKEN"),
    ).length;
  };
  return {
    contentType: out.ContentType,
    received: all,
    async readFragments(fragments, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (completeCount(all()) < fragments) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${fragments} fragments`);
        let timer: NodeJS.Timeout | undefined;
        const next = await Promise.race([
          iterator.next(),
          new Promise<"timeout">((resolve) => {
            timer = setTimeout(() => resolve("timeout"), left);
          }),
        ]);
        clearTimeout(timer);
        if (next === "timeout") continue;
        if (next.done) break;
        chunks.push(next.value);
      }
      return all();
    },
    close() {
      abort.abort();
      payload.destroy?.();
    },
  };
}

/** GetMedia through the SDK: reads `fragments` complete fragments, then closes the response. */
export async function readGetMedia(
  client: KinesisVideoMediaClient,
  input: GetMediaCommandInput,
  fragments: number,
  timeoutMs = 20_000,
): Promise<Uint8Array> {
  const session = await openGetMedia(client, input);
  try {
    return await session.readFragments(fragments, timeoutMs);
  } finally {
    session.close();
  }
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

/** Every fragment of a stream whose producer timestamp is in the range (all pages), sorted by it. */
export async function listByProducer(
  endpoint: string,
  streamName: string,
  startMs: number,
  endMs: number,
): Promise<Fragment[]> {
  const client = await archivedMedia(endpoint, streamName);
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

/**
 * The environment for running Debian's AWS CLI against kvs-local: dummy credentials, no config
 * files or instance metadata to look for (HOME is `dir`), no pager.
 */
export function awsCliEnv(dir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_ACCESS_KEY_ID: "x",
    AWS_SECRET_ACCESS_KEY: "x",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: path.join(dir, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
  };
}
