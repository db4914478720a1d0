// The first thing a newcomer does: ask for a clip of the live demo stream and play it.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SAMPLE_PATH, loadDemoClip } from "../../../src/local-kvs/demo/demo-sample.ts";
import { DEMO_STREAM_NAME } from "../../../src/local-kvs/index.ts";
import { download } from "../../support/clips.ts";
import { executeHttp } from "../../support/graphql.ts";
import { ffprobe, probe } from "../../support/media.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { waitFor } from "../../support/wait.ts";
import { StreamClipQuery } from "./documents.ts";

let directory: string;
let stack: Stack;
let framesPerFragment: number;

beforeAll(async () => {
  directory = await scratchDirectory("clip-demo-");
  // Each demo fragment is one Cluster of the sample; they all hold the same number of frames.
  const frames = (await ffprobe(DEMO_SAMPLE_PATH)).video?.frames ?? Number.NaN;
  const clusters = (await loadDemoClip()).clusters.length;
  expect(frames % clusters).toBe(0);
  framesPerFragment = frames / clusters;
  stack = await startStack({ kvs: { demoStream: true } });
});

afterAll(async () => {
  await stack?.stop();
  await removeScratchDirectory(directory);
});

describe("a clip of the demo stream", () => {
  it("downloads over plain HTTP as an MP4 with every frame of its fragments", async () => {
    const demo = stack.kvs.store.getStreamByName(DEMO_STREAM_NAME);
    if (!demo) throw new Error("no demo stream");
    // A fragment's server timestamp is its arrival, a moment before it is stored and listed:
    // ending the range half a second back keeps the query and the later GetClip in agreement.
    const settledFragments = () =>
      stack.kvs.store
        .listFragments(demo.streamArn)
        .filter((fragment) => fragment.serverTimestampMs < Date.now() - 500).length;
    await waitFor(() => settledFragments() >= 3, 15_000, "3 demo fragments");
    const end = Date.now() - 500;
    const result = await executeHttp(stack.graphqlUrl, StreamClipQuery, {
      name: DEMO_STREAM_NAME,
      range: { start: new Date(end - 60_000).toISOString(), end: new Date(end).toISOString() },
      timestampType: "SERVER_TIMESTAMP",
    });
    const stream = result.data?.stream;
    if (stream?.__typename !== "Stream" || stream.clip?.__typename !== "Clip") {
      throw new Error(`expected a Stream with a Clip, got ${JSON.stringify(result)}`);
    }
    const clip = stream.clip;
    expect(clip.fragmentCount).toBeGreaterThanOrEqual(3);
    expect(clip.parts).toHaveLength(1);
    expect(new URL(clip.url).origin).toBe(stack.url);

    const file = await download(clip.url);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("video/mp4");
    expect(file.headers.get("content-disposition")).toMatch(
      /^attachment; filename="demo_.+\.mp4"$/,
    );
    const probed = await probe(directory, "demo.mp4", file.body);
    expect(probed.formatName).toContain("mp4");
    expect(probed.videoFrames).toBe(clip.fragmentCount * framesPerFragment);
  });
});
