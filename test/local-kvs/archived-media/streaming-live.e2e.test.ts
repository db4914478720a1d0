// LIVE HLS and DASH sessions over kvs-local's demo camera (one fragment a second): the playlist a
// player reloads moves forward with the stream, its window keeps MaxMediaPlaylistFragmentResults
// fragments, and the fragments it names play.
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalKvs, DEMO_STREAM_NAME, type LocalKvs } from "../../../src/local-kvs/index.ts";
import {
  dashUrl,
  fetchText,
  hlsUrl,
  newestSegmentFile,
  playlistUris,
  probeFrames,
  videoPlaylistUrl,
} from "../../support/playback-media.ts";

let kvs: LocalKvs;

async function waitForFragments(count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (
      kvs.store.listFragments(kvs.store.getStreamByName(DEMO_STREAM_NAME)?.streamArn ?? "")
        .length >= count
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the demo stream did not reach ${count} fragments`);
}

const mediaSequence = (text: string) => Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1]);

beforeAll(async () => {
  kvs = await createLocalKvs({ inMemory: true, demoStream: true });
  await waitForFragments(4);
}, 40_000);

afterAll(async () => {
  await kvs?.stop();
});

describe("LIVE", () => {
  it("moves an HLS media playlist forward with the demo stream", async () => {
    const url = await hlsUrl(kvs.endpoint, {
      StreamName: DEMO_STREAM_NAME,
      PlaybackMode: "LIVE",
      MaxMediaPlaylistFragmentResults: 3,
    });
    const playlist = await videoPlaylistUrl(url);
    const before = (await fetchText(playlist)).text;
    expect(before).not.toContain("#EXT-X-ENDLIST");
    expect(before).not.toContain("#EXT-X-PLAYLIST-TYPE");
    expect(playlistUris(playlist, before)).toHaveLength(3);
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const after = (await fetchText(playlist)).text;
    expect(mediaSequence(after)).toBeGreaterThanOrEqual(mediaSequence(before) + 2);
    const newest = (text: string) =>
      playlistUris(playlist, text).at(-1)?.searchParams.get("FragmentNumber") ?? "";
    expect(BigInt(newest(after))).toBeGreaterThan(BigInt(newest(before)));
    // SERVER_TIMESTAMP defaults to a discontinuity before every fragment.
    expect(after.split("\n").filter((l) => l === "#EXT-X-DISCONTINUITY")).toHaveLength(2);
    const file = path.join(tmpdir(), `kvs-live-${process.pid}.mp4`);
    await newestSegmentFile(playlist, file);
    const played = await probeFrames(file);
    await rm(file, { force: true });
    expect(played.videoCodec).toBe("h264");
    expect(played.video).toBeGreaterThan(0);
  });

  it("serves a dynamic DASH manifest whose timeline grows", async () => {
    const url = await dashUrl(kvs.endpoint, { StreamName: DEMO_STREAM_NAME, PlaybackMode: "LIVE" });
    const first = (await fetchText(url)).text;
    expect(first).toContain('type="dynamic"');
    const lastT = (text: string) =>
      Math.max(...[...text.matchAll(/<S t="(\d+)"/g)].map((m) => Number(m[1])));
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(lastT((await fetchText(url)).text)).toBeGreaterThan(lastT(first));
  });
});
