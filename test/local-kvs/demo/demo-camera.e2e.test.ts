// The demo camera: a fragment about every second through PutMedia, producer timestamps that track
// the clock, live data for GetMedia NOW and GetClip, and a clean stop.
import path from "node:path";
import { ListFragmentsCommand } from "@aws-sdk/client-kinesis-video-archived-media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoCamera } from "../../../src/local-kvs/demo/camera.ts";
import { loadDemoClip } from "../../../src/local-kvs/demo/demo-sample.ts";
import { DEMO_STREAM_NAME, type LocalKvs } from "../../../src/local-kvs/index.ts";
import { getClipToFile } from "../../support/clips.ts";
import {
  archivedMedia,
  createStreams,
  mediaClient,
  readGetMedia,
  startLocalKvs,
} from "../../support/kvs-local.ts";
import { ffprobe } from "../../support/media.ts";
import { kvsTags, splitGetMedia } from "../../support/mkv.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { waitFor } from "../../support/wait.ts";

describe("demo sample", () => {
  it("splits into Clusters of about a second that start with a key frame", async () => {
    const clip = await loadDemoClip();
    expect(clip.clusters.length).toBeGreaterThanOrEqual(5);
    for (const cluster of clip.clusters) {
      expect(cluster.durationMs).toBeGreaterThan(800);
      expect(cluster.durationMs).toBeLessThan(1200);
    }
    expect(clip.loopMs).toBeCloseTo(clip.clusters.length * 1000, -2);
  });
});

describe("startDemoCamera", () => {
  let backend: LocalKvs;

  beforeAll(async () => {
    backend = await startLocalKvs([], { getClipRatePerSecond: 0 });
    await createStreams(backend.endpoint, ["camera"]);
  });

  afterAll(async () => {
    await backend?.stop();
  });

  it("sends a fragment about every second with producer timestamps near the clock, and stops cleanly", async () => {
    const { store } = backend;
    const arn = store.getStreamByName("camera")?.streamArn as string;
    const started = Date.now();
    const camera = await startDemoCamera({
      endpoint: backend.endpoint,
      streamName: "camera",
      log: () => {},
    });
    let fragments: ReturnType<typeof store.listFragments>;
    try {
      // Fragments arrive about once a second.
      await waitFor(() => store.listFragments(arn).length >= 3, 10_000, "3 fragments");
      fragments = store.listFragments(arn);
    } finally {
      await camera.stop();
    }
    const elapsed = Date.now() - started;
    // The first fragment goes at once, then one per Cluster duration (~1 s).
    expect(fragments.length).toBeLessThanOrEqual(Math.ceil(elapsed / 900) + 1);
    for (const f of fragments) {
      // Captured about a second before it was sent, never in the future.
      expect(f.serverTimestampMs - f.producerTimestampMs).toBeGreaterThanOrEqual(-50);
      expect(f.serverTimestampMs - f.producerTimestampMs).toBeLessThan(4_000);
    }
    const gaps = fragments
      .slice(1)
      .map((f, i) => f.producerTimestampMs - (fragments[i]?.producerTimestampMs ?? 0));
    for (const gap of gaps) {
      expect(gap).toBeGreaterThan(800);
      expect(gap).toBeLessThan(1_200);
    }

    // Stopped means stopped: nothing arrives afterwards.
    const count = store.listFragments(arn).length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(store.listFragments(arn).length).toBe(count);
  });
});

describe("createLocalKvs({ demoStream: true })", () => {
  let backend: LocalKvs;
  let dir: string;

  beforeAll(async () => {
    backend = await startLocalKvs([], { getClipRatePerSecond: 0, demoStream: true });
    dir = await scratchDirectory("kvs-clip-test-");
  });

  afterAll(async () => {
    await backend?.stop();
    await removeScratchDirectory(dir);
  });

  it("feeds the demo stream so GetMedia NOW, ListFragments and GetClip over the last minute have live data", async () => {
    const endpoint = backend.endpoint;
    // GetMedia NOW: the next fragments the camera sends.
    const media = await mediaClient(endpoint, DEMO_STREAM_NAME);
    try {
      const live = await readGetMedia(
        media,
        { StreamName: DEMO_STREAM_NAME, StartSelector: { StartSelectorType: "NOW" } },
        2,
        10_000,
      );
      const documents = splitGetMedia(live, true);
      const producerMs =
        Number(kvsTags(documents[0] as never).get("AWS_KINESISVIDEO_PRODUCER_TIMESTAMP")) * 1000;
      expect(Math.abs(Date.now() - producerMs)).toBeLessThan(5_000);
    } finally {
      media.destroy();
    }

    const now = Date.now();
    const range = { StartTimestamp: new Date(now - 60_000), EndTimestamp: new Date(now) };
    const list = await archivedMedia(endpoint, DEMO_STREAM_NAME, "LIST_FRAGMENTS");
    try {
      const out = await list.send(
        new ListFragmentsCommand({
          StreamName: DEMO_STREAM_NAME,
          FragmentSelector: { FragmentSelectorType: "SERVER_TIMESTAMP", TimestampRange: range },
        }),
      );
      expect(out.Fragments?.length ?? 0).toBeGreaterThanOrEqual(2);
    } finally {
      list.destroy();
    }

    const clips = await archivedMedia(endpoint, DEMO_STREAM_NAME, "GET_CLIP");
    try {
      const file = path.join(dir, "demo.mp4");
      await getClipToFile(
        clips,
        DEMO_STREAM_NAME,
        { type: "SERVER_TIMESTAMP", startMs: now - 60_000, endMs: now },
        file,
      );
      const probe = await ffprobe(file);
      expect(probe.video?.codec).toBe("h264");
      expect(probe.video?.frames ?? 0).toBeGreaterThan(0);
      expect(probe.audio?.codec).toBe("aac");
    } finally {
      clips.destroy();
    }
  });
});
