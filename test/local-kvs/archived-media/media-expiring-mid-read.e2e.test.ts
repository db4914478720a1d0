// Media that retention removes while GetClip or GetMediaForFragmentList is reading it: the
// answer is a typed KVS error (ResourceNotFoundException before the body starts, the GetMedia
// ERROR 4000 document once it has), never a 500. The sweep is the store's own, on a fake clock,
// run at the moment the operation reads a given fragment.
import {
  GetMediaForFragmentListCommand,
  type KinesisVideoArchivedMediaClient,
} from "@aws-sdk/client-kinesis-video-archived-media";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LocalKvs } from "../../../src/local-kvs/index.ts";
import type { FragmentRecord, HeaderRecord } from "../../../src/local-kvs/store/types.ts";
import { getClipError } from "../../support/clips.ts";
import { archivedMedia, createStreams, startLocalKvs } from "../../support/kvs-local.ts";
import { demoSample, kvsTags, splitGetMedia } from "../../support/mkv.ts";
import { ingestAt } from "../../support/seed.ts";

const HOUR_MS = 3_600_000;
const T0 = Math.floor((Date.now() - HOUR_MS) / 1000) * 1000;

let backend: LocalKvs;
let numbers: string[];
const now = { ms: Date.now() };

beforeEach(async () => {
  now.ms = Date.now();
  backend = await startLocalKvs([], { getClipRatePerSecond: 0, clock: { now: () => now.ms } });
  await createStreams(backend.endpoint, ["expiring"], { dataRetentionInHours: 1 });
  numbers = await ingestAt(backend.endpoint, "expiring", demoSample().bytes, T0);
});
afterEach(async () => {
  await backend?.stop();
});

/** Past the stream's retention: the store drops every fragment and the header they used. */
async function expireEverything(): Promise<void> {
  now.ms += 2 * HOUR_MS;
  await backend.store.enforceRetention(now.ms);
}

/** Runs the retention sweep just before the store's `call`-th read of a Cluster. */
function expireBeforeClusterRead(call: number): void {
  const { store } = backend;
  const readCluster = store.readCluster.bind(store);
  let calls = 0;
  store.readCluster = async (fragment: FragmentRecord): Promise<Uint8Array> => {
    calls++;
    if (calls === call) await expireEverything();
    return readCluster(fragment);
  };
}

/** Runs the retention sweep just before the store's first read of a stream header. */
function expireBeforeFirstHeaderRead(): void {
  const { store } = backend;
  const readHeader = store.readHeader.bind(store);
  let calls = 0;
  store.readHeader = async (headerId: string): Promise<HeaderRecord> => {
    calls++;
    if (calls === 1) await expireEverything();
    return readHeader(headerId);
  };
}

async function withClient<T>(
  apiName: "GET_CLIP" | "GET_MEDIA_FOR_FRAGMENT_LIST",
  use: (client: KinesisVideoArchivedMediaClient) => Promise<T>,
): Promise<T> {
  const client = await archivedMedia(backend.endpoint, "expiring", apiName);
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

const clipError = () =>
  withClient("GET_CLIP", (client) =>
    getClipError(client, { StreamName: "expiring", startMs: T0, endMs: T0 + 60_000 }),
  );

describe("GetClip while retention removes the media", () => {
  it("answers ResourceNotFoundException when the stream header goes before it is read", async () => {
    expireBeforeFirstHeaderRead();
    expect(await clipError()).toBe("ResourceNotFoundException");
  });

  it("answers ResourceNotFoundException when a Cluster goes between the two passes", async () => {
    expect(numbers.length).toBeGreaterThanOrEqual(2);
    // The first pass reads every Cluster once; the second pass's first read finds it gone.
    expireBeforeClusterRead(numbers.length + 1);
    expect(await clipError()).toBe("ResourceNotFoundException");
  });
});

describe("GetMediaForFragmentList while retention removes the media", () => {
  const fragmentList = (fragments: string[]) =>
    withClient("GET_MEDIA_FOR_FRAGMENT_LIST", async (client) => {
      const out = await client.send(
        new GetMediaForFragmentListCommand({ StreamName: "expiring", Fragments: fragments }),
      );
      return splitGetMedia((await out.Payload?.transformToByteArray()) ?? new Uint8Array());
    });

  it("answers ResourceNotFoundException when the first fragment goes before the body starts", async () => {
    expireBeforeFirstHeaderRead();
    const error = await fragmentList(numbers.slice(0, 2)).then(
      () => undefined,
      (e: { name?: string; $metadata?: { httpStatusCode?: number } }) => e,
    );
    expect(error?.name).toBe("ResourceNotFoundException");
    expect(error?.$metadata?.httpStatusCode).toBe(404);
  });

  it("ends the body with an ERROR 4000 document when a later fragment goes mid-stream", async () => {
    const [first, second, third] = numbers as [string, string, string];
    expireBeforeClusterRead(2);
    const documents = await fragmentList([first, second, third]);
    expect(documents).toHaveLength(2);
    const [sent, error] = documents.map(kvsTags);
    expect(sent?.get("AWS_KINESISVIDEO_FRAGMENT_NUMBER")).toBe(first);
    expect(documents[0]?.cluster).toBeDefined();
    expect(error?.get("AWS_KINESISVIDEO_ERROR_ID")).toBe("4000");
    expect(error?.get("AWS_KINESISVIDEO_ERROR_CODE")).toBe("FRAGMENT_NOT_FOUND");
    expect(error?.get("AWS_KINESISVIDEO_FRAGMENT_NUMBER")).toBe(second);
  });
});
