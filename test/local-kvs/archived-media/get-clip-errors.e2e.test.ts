// GetClip's documented exceptions, as the SDK client names them, and the codecs beyond H.264 + AAC.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import {
  GetClipCommand,
  type GetClipCommandInput,
} from "@aws-sdk/client-kinesis-video-archived-media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalKvs } from "../../../src/local-kvs/index.ts";
import { getClipError, getClipToFile, selector } from "../../support/clips.ts";
import { archivedMedia, createStreams, startLocalKvs } from "../../support/kvs-local.ts";
import { decodes, ffprobe } from "../../support/media.ts";
import {
  blockIsKey,
  blockTrack,
  buildMkv,
  demoSample,
  demoTracks,
  keyframeClusters,
  type TrackSpec,
} from "../../support/mkv.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { ingestAt } from "../../support/seed.ts";

const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
const DAY = 24 * 3_600_000;

let backend: LocalKvs;
let dir: string;

/** Ingests a one-track-or-two MKV of keyframe Clusters into a new stream. */
async function streamWith(name: string, tracks: TrackSpec[], clusters = keyframeClusters(3, 1000)) {
  await createStreams(backend.endpoint, [name]);
  await ingestAt(backend.endpoint, name, buildMkv(tracks, clusters), T0);
}

async function errorOf(
  stream: string,
  startMs = T0,
  endMs = T0 + 60_000,
  type?: "SERVER_TIMESTAMP",
) {
  const client = await archivedMedia(backend.endpoint, "sample", "GET_CLIP");
  try {
    return await getClipError(client, {
      StreamName: stream,
      startMs,
      endMs,
      ...(type ? { type } : {}),
    });
  } finally {
    client.destroy();
  }
}

beforeAll(async () => {
  backend = await startLocalKvs([], { getClipRatePerSecond: 0 });
  dir = await scratchDirectory("kvs-clip-test-");
  await createStreams(backend.endpoint, ["sample"]);
  await ingestAt(backend.endpoint, "sample", demoSample().bytes, T0);
});

afterAll(async () => {
  await backend?.stop();
  await removeScratchDirectory(dir);
});

describe("GetClip errors", () => {
  it("answers ResourceNotFoundException for an unknown stream and for a range without fragments", async () => {
    expect(await errorOf("no-such-stream")).toBe("ResourceNotFoundException");
    expect(await errorOf("sample", T0 - 60_000, T0 - 1)).toBe("ResourceNotFoundException");
  });

  it("answers InvalidArgumentException for bad ranges", async () => {
    expect(await errorOf("sample", T0 + 5000, T0)).toBe("InvalidArgumentException");
    expect(await errorOf("sample", T0, T0)).toBe("InvalidArgumentException");
    expect(await errorOf("sample", T0, T0 + DAY + 1)).toBe("InvalidArgumentException");
    expect(await errorOf("sample", T0, Date.now() + 60_000, "SERVER_TIMESTAMP")).toBe(
      "InvalidArgumentException",
    );
    // A range of exactly 24 hours is allowed.
    expect(await errorOf("sample", T0, T0 + DAY)).toBeUndefined();
  });

  it("answers InvalidArgumentException without exactly one of StreamName and StreamARN, or without a selector", async () => {
    const client = await archivedMedia(backend.endpoint, "sample", "GET_CLIP");
    const arn = backend.store.getStreamByName("sample")?.streamArn;
    const send = async (input: Record<string, unknown>) => {
      try {
        await client.send(new GetClipCommand(input as unknown as GetClipCommandInput));
        return undefined;
      } catch (error) {
        return (error as { name?: string }).name;
      }
    };
    try {
      const range = selector({ startMs: T0, endMs: T0 + 60_000 });
      expect(
        await send({ StreamName: "sample", StreamARN: arn, ClipFragmentSelector: range }),
      ).toBe("InvalidArgumentException");
      expect(await send({ ClipFragmentSelector: range })).toBe("InvalidArgumentException");
      expect(await send({ StreamName: "sample" })).toBe("InvalidArgumentException");
      expect(
        await send({
          StreamName: "sample",
          ClipFragmentSelector: { ...range, FragmentSelectorType: "ARRIVAL_TIMESTAMP" },
        }),
      ).toBe("InvalidArgumentException");
    } finally {
      client.destroy();
    }
  });

  it("answers NoDataRetentionException for a stream that keeps no data", async () => {
    await createStreams(backend.endpoint, ["no-retention"], { dataRetentionInHours: 0 });
    expect(await errorOf("no-retention")).toBe("NoDataRetentionException");
  });

  it("answers the codec exceptions for streams whose tracks GetClip cannot take", async () => {
    const [video, audio] = demoTracks() as [TrackSpec, TrackSpec];
    await streamWith("vp8", [{ ...video, codecId: "V_VP8" }]);
    await streamWith("opus", [video, { ...audio, codecId: "A_OPUS" }]);
    const { codecPrivate: _none, ...withoutPrivate } = video;
    await streamWith("no-private", [withoutPrivate]);
    await streamWith("bad-private", [
      { ...video, codecPrivate: Uint8Array.of(0, 0, 0, 0, 0, 0, 0) },
    ]);
    expect(await errorOf("vp8")).toBe("UnsupportedStreamMediaTypeException");
    expect(await errorOf("opus")).toBe("UnsupportedStreamMediaTypeException");
    expect(await errorOf("no-private")).toBe("MissingCodecPrivateDataException");
    expect(await errorOf("bad-private")).toBe("InvalidCodecPrivateDataException");
  });

  it("answers InvalidMediaFrameException when the fragments hold no decodable video", async () => {
    // Only the delta frames of each GOP: nothing a clip could start from.
    const deltas = demoSample().clusters.map((c, i) => ({
      timecode: i * 1000,
      blocks: c.blocks.filter((b) => blockTrack(b) === 1 && !blockIsKey(b)),
    }));
    await streamWith("no-keyframes", demoTracks().slice(0, 1), deltas);
    expect(await errorOf("no-keyframes")).toBe("InvalidMediaFrameException");
  });

  it("throttles GetClip per stream with ClientLimitExceededException", async () => {
    // A clock that stands still: both calls fall in one rate window however slow the machine.
    const frozenMs = Date.now();
    const limited = await startLocalKvs([], {
      getClipRatePerSecond: 1,
      clock: { now: () => frozenMs },
    });
    try {
      await createStreams(limited.endpoint, ["limited"]);
      const client = await archivedMedia(limited.endpoint, "limited", "GET_CLIP");
      try {
        const call = () =>
          getClipError(client, { StreamName: "limited", startMs: T0, endMs: T0 + 1000 });
        // The first call is within the rate (and finds no fragments); the second is not.
        expect(await call()).toBe("ResourceNotFoundException");
        expect(await call()).toBe("ClientLimitExceededException");
      } finally {
        client.destroy();
      }
    } finally {
      await limited.stop();
    }
  });
});

describe("GetClip codecs", () => {
  const run = promisify(execFile);

  async function ffmpegMkv(file: string, args: string[]): Promise<Uint8Array> {
    await run("ffmpeg", [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      ...args,
      "-f",
      "matroska",
      file,
    ]);
    return new Uint8Array(await readFile(file));
  }

  it("remuxes H.264 + G.711 A-law into a QuickTime-brand MP4 ffprobe reads", async () => {
    const source = path.join(dir, "alaw.mkv");
    const mkv = await ffmpegMkv(source, [
      ...["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=3"],
      ...["-f", "lavfi", "-i", "sine=sample_rate=8000:duration=3"],
      ...["-c:v", "libx264", "-g", "10", "-bf", "0", "-c:a", "pcm_alaw"],
    ]);
    await createStreams(backend.endpoint, ["alaw"]);
    await ingestAt(backend.endpoint, "alaw", mkv, T0);
    const client = await archivedMedia(backend.endpoint, "alaw", "GET_CLIP");
    const out = path.join(dir, "alaw.mp4");
    try {
      await getClipToFile(client, "alaw", { startMs: T0, endMs: T0 + 60_000 }, out);
    } finally {
      client.destroy();
    }
    const probe = await ffprobe(out);
    expect(probe.video).toMatchObject({ codec: "h264", frames: 30 });
    expect(probe.audio?.codec).toBe("pcm_alaw");
    expect(probe.majorBrand).toBe("qt");
    expect(probe.duration).toBeCloseTo(3, 1);
    await decodes(out);
  });

  it("remuxes H.265", async () => {
    const source = path.join(dir, "hevc.mkv");
    const mkv = await ffmpegMkv(source, [
      ...["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=2"],
      ...["-c:v", "libx265", "-x265-params", "log-level=error:keyint=10:bframes=0"],
    ]);
    await createStreams(backend.endpoint, ["hevc"]);
    await ingestAt(backend.endpoint, "hevc", mkv, T0);
    const client = await archivedMedia(backend.endpoint, "hevc", "GET_CLIP");
    const out = path.join(dir, "hevc.mp4");
    try {
      await getClipToFile(client, "hevc", { startMs: T0, endMs: T0 + 60_000 }, out);
    } finally {
      client.destroy();
    }
    const probe = await ffprobe(out);
    expect(probe.video).toMatchObject({ codec: "hevc", frames: 20 });
    await decodes(out);
  });
});
