// Shared test plumbing: SDK clients pointed at kvs-local, fixture access, ingest via PutMedia,
// GetMedia reading, and an independent splitter of GetMedia output into its MKV documents.

import { readFileSync } from "node:fs";
import path from "node:path";
import {
  type APIName,
  GetDataEndpointCommand,
  KinesisVideoClient,
} from "@aws-sdk/client-kinesis-video";
import { KinesisVideoArchivedMediaClient } from "@aws-sdk/client-kinesis-video-archived-media";
import {
  GetMediaCommand,
  type GetMediaCommandInput,
  KinesisVideoMediaClient,
} from "@aws-sdk/client-kinesis-video-media";
import { type PutMediaAck, putMedia } from "../../src/local-kvs/producer/put-media-client.ts";

export const FIXTURES = path.resolve(import.meta.dirname, "../../../shared/fixtures/getmedia");

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(FIXTURES, name)));
}

/** SDK client settings; one attempt unless a test wants the SDK's retries. */
const clientConfig = (endpoint: string, maxAttempts = 1) => ({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
  maxAttempts,
});

export function controlPlane(endpoint: string, maxAttempts = 1): KinesisVideoClient {
  return new KinesisVideoClient(clientConfig(endpoint, maxAttempts));
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

/** A data-plane client on the endpoint GetDataEndpoint returns for `apiName`. */
async function dataPlaneClient<Client>(
  Client: new (config: ReturnType<typeof clientConfig>) => Client,
  endpoint: string,
  streamName: string,
  apiName: APIName,
): Promise<Client> {
  return new Client(clientConfig(await dataEndpoint(endpoint, streamName, apiName)));
}

export const archivedMedia = (
  endpoint: string,
  streamName: string,
): Promise<KinesisVideoArchivedMediaClient> =>
  dataPlaneClient(KinesisVideoArchivedMediaClient, endpoint, streamName, "LIST_FRAGMENTS");

export const mediaClient = (
  endpoint: string,
  streamName: string,
): Promise<KinesisVideoMediaClient> =>
  dataPlaneClient(KinesisVideoMediaClient, endpoint, streamName, "GET_MEDIA");

/** PutMedia of a whole file through the PUT_MEDIA data endpoint; returns every ack. */
export async function ingest(
  endpoint: string,
  streamName: string,
  body: Uint8Array,
  options: { timecodeType?: "ABSOLUTE" | "RELATIVE"; producerStartTimestampMs?: number } = {},
): Promise<PutMediaAck[]> {
  const session = putMedia({
    endpoint: await dataEndpoint(endpoint, streamName, "PUT_MEDIA"),
    streamName,
    body,
    timecodeType: options.timecodeType ?? "RELATIVE",
    producerStartTimestampMs: options.producerStartTimestampMs ?? Date.now(),
  });
  const acks: PutMediaAck[] = [];
  for await (const ack of session.acks) acks.push(ack);
  await session.done;
  return acks;
}

export const persistedNumbers = (acks: readonly PutMediaAck[]): string[] =>
  acks.filter((a) => a.EventType === "PERSISTED").map((a) => a.FragmentNumber as string);

// ---- an independent MKV walker (does not share code with the server) ----

function vint(
  buf: Uint8Array,
  at: number,
  keepMarker: boolean,
): { value: number; length: number; unknown: boolean } {
  const first = buf[at] as number;
  let length = 1;
  while (length <= 8 && !(first & (0x80 >> (length - 1)))) length++;
  if (length > 8) throw new Error(`bad VINT at ${at}`);
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = (first & (0xff >> length)) === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const b = buf[at + i] as number;
    if (b !== 0xff) allOnes = false;
    value = value * 256 + b;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

export interface Element {
  id: number;
  start: number;
  dataStart: number;
  /** End offset (for unknown sizes: where the next element of level ≤ 1 begins). */
  end: number;
  unknownSize: boolean;
}

const EBML_ID = 0x1a45dfa3;
const SEGMENT_ID = 0x18538067;
const CLUSTER_ID = 0x1f43b675;
const TAGS_ID = 0x1254c367;
/** IDs that end an unknown-size Cluster (top-level Segment children and the EBML header). */
const LEVEL_ONE = new Set([
  EBML_ID,
  SEGMENT_ID,
  CLUSTER_ID,
  TAGS_ID,
  0x1c53bb6b, // Cues
  0x1654ae6b, // Tracks
  0x1549a966, // Info
  0x114d9b74, // SeekHead
  0x1043a770, // Chapters
  0x1941a469, // Attachments
]);

export function readElement(buf: Uint8Array, at: number): Element {
  const id = vint(buf, at, true);
  const size = vint(buf, at + id.length, false);
  const dataStart = at + id.length + size.length;
  if (!size.unknown) {
    return { id: id.value, start: at, dataStart, end: dataStart + size.value, unknownSize: false };
  }
  if (id.value === SEGMENT_ID) {
    // Ends at the next EBML header at Segment-child level, or at the end of the buffer.
    let p = dataStart;
    while (p < buf.length) {
      const child = readElement(buf, p);
      if (child.id === EBML_ID) break;
      p = child.end;
    }
    return { id: id.value, start: at, dataStart, end: p, unknownSize: true };
  }
  // Unknown-size Cluster: its children run until a level-1 (or higher) element.
  let p = dataStart;
  while (p < buf.length) {
    const childId = vint(buf, p, true).value;
    if (LEVEL_ONE.has(childId)) break;
    p = readElement(buf, p).end;
  }
  return { id: id.value, start: at, dataStart, end: p, unknownSize: true };
}

export function children(buf: Uint8Array, parent: Element): Element[] {
  const out: Element[] = [];
  for (let p = parent.dataStart; p < parent.end; ) {
    const el = readElement(buf, p);
    out.push(el);
    p = el.end;
  }
  return out;
}

/** The Clusters of a producer MKV (one EBML document), as byte slices. */
export function clustersOf(file: Uint8Array): Uint8Array[] {
  const ebml = readElement(file, 0);
  const segment = readElement(file, ebml.end);
  return children(file, segment)
    .filter((e) => e.id === CLUSTER_ID)
    .map((e) => file.subarray(e.start, e.end));
}

export interface GetMediaDocument {
  bytes: Uint8Array;
  segmentSizeBytes: Uint8Array;
  /** Tags groups in order, each a list of [name, value]. */
  tagGroups: Array<Array<[string, string]>>;
  cluster?: Uint8Array;
  /** Size-field widths of each element in the KVS Tags groups (must all be 4). */
  tagSizeWidths: number[];
}

const decoder = new TextDecoder();

function readTags(buf: Uint8Array, tags: Element, widths: number[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const width = (e: Element) => e.dataStart - e.start - vint(buf, e.start, true).length;
  widths.push(width(tags));
  for (const tag of children(buf, tags)) {
    widths.push(width(tag));
    for (const simple of children(buf, tag)) {
      widths.push(width(simple));
      let name = "";
      let value = "";
      for (const field of children(buf, simple)) {
        widths.push(width(field));
        const text = decoder.decode(buf.subarray(field.dataStart, field.end));
        if (field.id === 0x45a3) name = text;
        if (field.id === 0x4487) value = text;
      }
      pairs.push([name, value]);
    }
  }
  return pairs;
}

function parseDocument(buf: Uint8Array, p: number): { doc: GetMediaDocument; end: number } {
  const ebml = readElement(buf, p);
  if (ebml.id !== EBML_ID) throw new Error(`expected an EBML header at ${p}`);
  const segment = readElement(buf, ebml.end);
  if (segment.id !== SEGMENT_ID) throw new Error(`expected a Segment at ${ebml.end}`);
  if (segment.end > buf.length) throw new RangeError("document cut off");
  const doc: GetMediaDocument = {
    bytes: buf.subarray(p, segment.end),
    segmentSizeBytes: buf.subarray(segment.start + 4, segment.dataStart),
    tagGroups: [],
    tagSizeWidths: [],
  };
  for (const child of children(buf, segment)) {
    if (child.end > buf.length) throw new RangeError("document cut off");
    if (child.id === TAGS_ID) {
      const widths: number[] = [];
      const pairs = readTags(buf, child, widths);
      if (pairs.some(([name]) => name.startsWith("AWS_KINESISVIDEO"))) {
        doc.tagSizeWidths.push(...widths);
      }
      doc.tagGroups.push(pairs);
    }
    if (child.id === CLUSTER_ID) doc.cluster = buf.subarray(child.start, child.end);
  }
  return { doc, end: segment.end };
}

/** Splits GetMedia output into its documents; with `partial`, stops quietly at a cut-off one. */
export function splitGetMedia(buf: Uint8Array, partial = false): GetMediaDocument[] {
  const docs: GetMediaDocument[] = [];
  let p = 0;
  while (p < buf.length) {
    try {
      const { doc, end } = parseDocument(buf, p);
      docs.push(doc);
      p = end;
    } catch (error) {
      if (partial) break;
      throw error;
    }
  }
  return docs;
}

export function kvsTags(doc: GetMediaDocument): Map<string, string> {
  const tags = new Map<string, string>();
  for (const group of doc.tagGroups) {
    for (const [name, value] of group)
      if (name.startsWith("AWS_KINESISVIDEO")) tags.set(name, value);
  }
  return tags;
}

/** Counts complete fragments (documents whose closing tags arrived) in GetMedia bytes so far. */
function completeFragments(buf: Uint8Array): number {
  const marker = new TextEncoder().encode("AWS_KINESISVIDEO_CONTINUATION_TOKEN");
  let count = 0;
  outer: for (let i = 0; i + marker.length <= buf.length; i++) {
    for (let j = 0; j < marker.length; j++) if (buf[i + j] !== marker[j]) continue outer;
    count++;
  }
  return count;
}

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
