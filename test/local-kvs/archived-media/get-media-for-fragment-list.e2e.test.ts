// GetMediaForFragmentList through the SDK on its data endpoint: the listed fragments, in the order
// asked, as GetMedia-style tagged documents whose Clusters are the ones ingested.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import {
  GetMediaForFragmentListCommand,
  type KinesisVideoArchivedMediaClient,
} from "@aws-sdk/client-kinesis-video-archived-media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalKvs } from "../../../src/local-kvs/index.ts";
import {
  archivedMedia,
  createStreams,
  listByProducer,
  startLocalKvs,
} from "../../support/kvs-local.ts";
import { clustersOf, demoSample, kvsTags, splitGetMedia } from "../../support/mkv.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { ingestAt } from "../../support/seed.ts";

const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;

let backend: LocalKvs;
let dir: string;
let client: KinesisVideoArchivedMediaClient;
let numbers: string[];

beforeAll(async () => {
  backend = await startLocalKvs([], { getClipRatePerSecond: 0 });
  dir = await scratchDirectory("kvs-clip-test-");
  await createStreams(backend.endpoint, ["sample"]);
  numbers = await ingestAt(backend.endpoint, "sample", demoSample().bytes, T0);
  client = await archivedMedia(backend.endpoint, "sample", "GET_MEDIA_FOR_FRAGMENT_LIST");
});

afterAll(async () => {
  client?.destroy();
  await backend?.stop();
  await removeScratchDirectory(dir);
});

async function fragmentsFor(fragments: string[]) {
  const out = await client.send(
    new GetMediaForFragmentListCommand({ StreamName: "sample", Fragments: fragments }),
  );
  const bytes = (await out.Payload?.transformToByteArray()) ?? new Uint8Array();
  return { contentType: out.ContentType, bytes, documents: splitGetMedia(bytes) };
}

async function errorFor(fragments: string[], streamName = "sample"): Promise<string | undefined> {
  try {
    const out = await client.send(
      new GetMediaForFragmentListCommand({ StreamName: streamName, Fragments: fragments }),
    );
    await out.Payload?.transformToByteArray();
    return undefined;
  } catch (error) {
    return (error as { name?: string }).name;
  }
}

describe("GetMediaForFragmentList", () => {
  it("returns the listed fragments in the order asked, tagged like GetMedia", async () => {
    const listed = await listByProducer(backend.endpoint, "sample", T0, T0 + 60_000);
    expect(listed.map((f) => f.FragmentNumber)).toEqual(numbers);
    const wanted = [numbers[3], numbers[0], numbers[7]] as string[];
    const { contentType, bytes, documents } = await fragmentsFor(wanted);
    expect(contentType).toBe("video/webm");
    expect(documents).toHaveLength(3);

    const ingested = clustersOf(demoSample().bytes);
    documents.forEach((doc, i) => {
      const number = wanted[i] as string;
      const fragment = listed.find((f) => f.FragmentNumber === number);
      const tags = kvsTags(doc);
      expect(tags.get("AWS_KINESISVIDEO_FRAGMENT_NUMBER")).toBe(number);
      expect(Number(tags.get("AWS_KINESISVIDEO_PRODUCER_TIMESTAMP")) * 1000).toBeCloseTo(
        fragment?.ProducerTimestamp?.getTime() ?? 0,
        0,
      );
      expect(tags.has("AWS_KINESISVIDEO_SERVER_TIMESTAMP")).toBe(true);
      expect(tags.get("AWS_KINESISVIDEO_CONTINUATION_TOKEN")).toBe(number);
      expect(tags.has("AWS_KINESISVIDEO_MILLIS_BEHIND_NOW")).toBe(true);
      expect(Buffer.from(doc.cluster ?? [])).toEqual(
        Buffer.from(ingested[numbers.indexOf(number)] ?? []),
      );
    });

    // Each document is a Matroska file mkvinfo accepts.
    const run = promisify(execFile);
    const first = path.join(dir, "fragment-0.mkv");
    await writeFile(first, (documents[0] as { bytes: Uint8Array }).bytes);
    const { stdout } = await run("mkvinfo", [first]);
    expect(stdout).toContain("AWS_KINESISVIDEO_FRAGMENT_NUMBER");
    expect(bytes.length).toBe(documents.reduce((n, d) => n + d.bytes.length, 0));
  });

  it("answers ResourceNotFoundException for a fragment number the stream does not have", async () => {
    const unknown = `${"9".repeat(46)}1`;
    expect(await errorFor([numbers[0] as string, unknown])).toBe("ResourceNotFoundException");
    expect(await errorFor([numbers[0] as string], "no-such-stream")).toBe(
      "ResourceNotFoundException",
    );
  });

  it("answers InvalidArgumentException outside 1 to 1000 fragment numbers", async () => {
    expect(await errorFor([])).toBe("InvalidArgumentException");
    expect(await errorFor(Array.from({ length: 1001 }, () => numbers[0] as string))).toBe(
      "InvalidArgumentException",
    );
    expect(await errorFor(["12ab"])).toBe("InvalidArgumentException");
  });
});
