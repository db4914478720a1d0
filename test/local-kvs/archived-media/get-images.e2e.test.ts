// GetImages through @aws-sdk/client-kinesis-video-archived-media and the AWS CLI, against fragments
// ingested from the demo sample (320×240 H.264, fragments of about 1 s): real pictures checked
// with ffprobe, sampling timestamps, paging, NO_MEDIA in a gap, and the model's validation rules.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import {
  GetImagesCommand,
  type GetImagesCommandInput,
  type KinesisVideoArchivedMediaClient,
  ListFragmentsCommand,
} from "@aws-sdk/client-kinesis-video-archived-media";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalKvs } from "../../../src/local-kvs/index.ts";
import { archivedMedia, awsCliEnv, listFragments, startLocalKvs } from "../../support/kvs-local.ts";
import { makeTestVideo, run } from "../../support/media.ts";
import {
  blockIsKey,
  blockTrack,
  buildMkv,
  demoSample,
  demoTracks,
  readElement,
} from "../../support/mkv.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { fillStream, ingestAt } from "../../support/seed.ts";

/** Whole seconds (the AWS CLI sends whole epoch seconds), an hour ago. */
const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
/** The second recording starts here: [T0 + ~10 s, T0 + 30 s) is a gap. */
const T1 = T0 + 30_000;

let backend: LocalKvs;
let client: KinesisVideoArchivedMediaClient;
let dir: string;
let files = 0;

beforeAll(async () => {
  backend = await startLocalKvs();
  dir = await scratchDirectory("kvs-images-test-");
  await fillStream(backend.endpoint, "cam", demoSample().bytes, T0);
  await ingestAt(backend.endpoint, "cam", demoSample().bytes, T1);
  client = await archivedMedia(backend.endpoint, "cam", "GET_IMAGES");
  const hevc = await makeTestVideo(dir, { seconds: 4, fps: 5, size: "320x180", codec: "h265" });
  await fillStream(backend.endpoint, "hevc", hevc.bytes, T0);
  // No picture in these: audio only, and video key frames whose bytes are garbage.
  const clusters = demoSample().clusters.slice(0, 3);
  const [video, audio] = demoTracks();
  await fillStream(
    backend.endpoint,
    "audio-only",
    buildMkv(
      [audio as NonNullable<typeof audio>],
      clusters.map((c) => ({
        timecode: c.timecode,
        blocks: c.blocks.filter((b) => blockTrack(b) === 2),
      })),
    ),
    T0,
  );
  const garbage = (block: Uint8Array) => {
    const copy = block.slice();
    copy.fill(0xa5, readElement(copy, 0).dataStart + 4);
    return copy;
  };
  await fillStream(
    backend.endpoint,
    "broken",
    buildMkv(
      [video as NonNullable<typeof video>],
      clusters.map((c) => ({
        timecode: c.timecode,
        blocks: c.blocks.filter((b) => blockTrack(b) === 1 && blockIsKey(b)).map(garbage),
      })),
    ),
    T0,
  );
});

afterAll(async () => {
  client?.destroy();
  await backend?.stop();
  await removeScratchDirectory(dir);
});

const base = (startMs: number, endMs: number): GetImagesCommandInput => ({
  StreamName: "cam",
  ImageSelectorType: "PRODUCER_TIMESTAMP",
  StartTimestamp: new Date(startMs),
  EndTimestamp: new Date(endMs),
  Format: "JPEG",
});

async function pictureSize(base64: string, ext: string) {
  const file = path.join(dir, `image-${++files}.${ext}`);
  await writeFile(file, Buffer.from(base64, "base64"));
  const { stdout } = await run("ffprobe", [
    "-v",
    "error",
    "-show_entries",
    "stream=width,height,codec_name",
    "-of",
    "json",
    file,
  ]);
  const [stream] = (
    JSON.parse(stdout) as { streams: Array<{ width: number; height: number; codec_name: string }> }
  ).streams;
  return stream;
}

describe("GetImages (AWS SDK v3)", () => {
  it("answers decodable JPEGs at the asked size, one per sampling point", async () => {
    const out = await client.send(
      new GetImagesCommand({
        ...base(T0, T0 + 4000),
        SamplingInterval: 1000,
        WidthPixels: 160,
        HeightPixels: 90,
        FormatConfig: { JPEGQuality: "50" },
      }),
    );
    expect(out.NextToken).toBeUndefined();
    expect(out.Images?.map((image) => image.TimeStamp?.getTime())).toEqual([
      T0,
      T0 + 1000,
      T0 + 2000,
      T0 + 3000,
      T0 + 4000,
    ]);
    for (const image of out.Images ?? []) {
      expect(image.Error).toBeUndefined();
      expect(await pictureSize(image.ImageContent ?? "", "jpg")).toEqual({
        codec_name: "mjpeg",
        width: 160,
        height: 90,
      });
    }
  });

  it("takes each point's picture from the nearest key frame at or before it", async () => {
    const keyFrameOffsets = demoSample().clusters.map((c) => c.timecode);
    const [first, second] = keyFrameOffsets as [number, number];
    const out = await client.send(
      new GetImagesCommand({
        ...base(T0 + first, T0 + second + 200),
        SamplingInterval: 200,
        Format: "PNG",
      }),
    );
    const contents = out.Images?.map((image) => image.ImageContent) ?? [];
    const points = out.Images?.map((image) => (image.TimeStamp?.getTime() ?? 0) - T0) ?? [];
    // Every point before the second fragment's key frame shows the first one's picture.
    const beforeSecond = points.filter((at) => at < second).length;
    expect(beforeSecond).toBeGreaterThan(1);
    expect(new Set(contents.slice(0, beforeSecond)).size).toBe(1);
    // The last point lies past the second key frame: another picture.
    expect(points.at(-1)).toBeGreaterThanOrEqual(second);
    expect(contents.at(-1)).not.toBe(contents[0]);
  });

  it("decodes H.265 key frames too", async () => {
    const out = await client.send(
      new GetImagesCommand({
        ...base(T0, T0 + 3000),
        StreamName: "hevc",
        SamplingInterval: 1000,
        WidthPixels: 96,
        HeightPixels: 54,
      }),
    );
    expect(out.Images).toHaveLength(4);
    for (const image of out.Images ?? []) {
      expect(await pictureSize(image.ImageContent ?? "", "jpg")).toEqual({
        codec_name: "mjpeg",
        width: 96,
        height: 54,
      });
    }
  });

  it("selects by SERVER_TIMESTAMP too, and a point before any fragment is NO_MEDIA", async () => {
    const [first] = await listFragments(backend.endpoint, "cam");
    const received = first?.ServerTimestamp?.getTime() ?? 0;
    const out = await client.send(
      new GetImagesCommand({
        ...base(received - 1000, received),
        ImageSelectorType: "SERVER_TIMESTAMP",
        SamplingInterval: 1000,
        WidthPixels: 16,
        HeightPixels: 16,
      }),
    );
    expect(
      out.Images?.map((image) => [image.TimeStamp?.getTime(), image.Error ?? "image"]),
    ).toEqual([
      [received - 1000, "NO_MEDIA"],
      [received, "image"],
    ]);
  });

  it("answers PNGs at the source size without WidthPixels/HeightPixels", async () => {
    const out = await client.send(
      new GetImagesCommand({ ...base(T0 + 500, T0 + 500), Format: "PNG", SamplingInterval: 1000 }),
    );
    expect(out.Images).toHaveLength(1);
    expect(await pictureSize(out.Images?.[0]?.ImageContent ?? "", "png")).toEqual({
      codec_name: "png",
      width: 320,
      height: 240,
    });
  });

  it("pages 25 images at a time, even when MaxResults is larger", async () => {
    const input = {
      ...base(T0, T0 + 7800),
      SamplingInterval: 200,
      MaxResults: 100,
      WidthPixels: 32,
      HeightPixels: 24,
    };
    const stamps: number[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await client.send(new GetImagesCommand({ ...input, NextToken: nextToken }));
      expect(out.Images?.length).toBeLessThanOrEqual(25);
      for (const image of out.Images ?? []) stamps.push(image.TimeStamp?.getTime() ?? 0);
      nextToken = out.NextToken;
      pages++;
    } while (nextToken !== undefined);
    expect(pages).toBe(2);
    expect(stamps).toEqual(Array.from({ length: 40 }, (_, i) => T0 + i * 200));
  });

  it("reports NO_MEDIA without content for sampling points in a gap", async () => {
    const out = await client.send(
      new GetImagesCommand({
        ...base(T0 + 5000, T1 + 5000),
        SamplingInterval: 5000,
        WidthPixels: 32,
        HeightPixels: 24,
      }),
    );
    const errors = out.Images?.map((image) => [image.TimeStamp?.getTime(), image.Error ?? "image"]);
    expect(errors).toEqual([
      [T0 + 5000, "image"],
      [T0 + 10_000, "image"],
      [T0 + 15_000, "NO_MEDIA"],
      [T0 + 20_000, "NO_MEDIA"],
      [T0 + 25_000, "NO_MEDIA"],
      [T1, "image"],
      [T1 + 5000, "image"],
    ]);
    for (const image of out.Images ?? [])
      expect(image.ImageContent === undefined).toBe(image.Error === "NO_MEDIA");
  });

  it.each([
    ["a range over 300 s", { ...base(T0, T0 + 300_001), SamplingInterval: 1000 }, /300 seconds/],
    [
      "a sampling interval under 200 ms",
      { ...base(T0, T0 + 1000), SamplingInterval: 199 },
      /samplingInterval/,
    ],
    ["WidthPixels without HeightPixels", { ...base(T0, T0 + 1000), WidthPixels: 100 }, /together/],
    [
      "HeightPixels over 2160",
      { ...base(T0, T0 + 1000), WidthPixels: 100, HeightPixels: 2161 },
      /heightPixels/,
    ],
    [
      "JPEGQuality 0",
      { ...base(T0, T0 + 1000), FormatConfig: { JPEGQuality: "0" } },
      /JPEGQuality/,
    ],
    [
      "a forged NextToken",
      {
        ...base(T0, T0 + 1000),
        NextToken: Buffer.from('{"d":"x","i":3}0123456789abcdef').toString("base64"),
      },
      /NextToken/,
    ],
  ])("refuses %s with InvalidArgumentException", async (_what, input, message) => {
    const error = await client.send(new GetImagesCommand(input)).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "InvalidArgumentException",
      $metadata: { httpStatusCode: 400 },
    });
    expect((error as Error).message).toMatch(message);
  });

  it("refuses a NextToken with other request parameters", async () => {
    const first = await client.send(
      new GetImagesCommand({
        ...base(T0, T0 + 7800),
        SamplingInterval: 200,
        WidthPixels: 8,
        HeightPixels: 8,
      }),
    );
    expect(first.NextToken).toBeDefined();
    const error = await client
      .send(
        new GetImagesCommand({
          ...base(T0, T0 + 7800),
          SamplingInterval: 400,
          NextToken: first.NextToken,
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "InvalidArgumentException" });
  });
});

describe("GetImages without a picture or a decoder", () => {
  it.each(["audio-only", "broken"])(
    "reports MEDIA_ERROR for %s media (one image per fragment without SamplingInterval)",
    async (stream) => {
      const out = await client.send(
        new GetImagesCommand({ ...base(T0, T0 + 2500), StreamName: stream }),
      );
      expect(out.Images?.map((image) => [image.Error, image.ImageContent])).toEqual([
        ["MEDIA_ERROR", undefined],
        ["MEDIA_ERROR", undefined],
        ["MEDIA_ERROR", undefined],
      ]);
    },
  );

  it("answers an error naming the missing ffmpeg, and other operations still work", async () => {
    const saved = process.env.KVS_LOCAL_FFMPEG;
    process.env.KVS_LOCAL_FFMPEG = path.join(dir, "no-ffmpeg-here");
    try {
      const error = await client
        .send(new GetImagesCommand({ ...base(T0, T0 + 1000), SamplingInterval: 1000 }))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "InternalFailure", $metadata: { httpStatusCode: 500 } });
      expect((error as Error).message).toMatch(
        /needs ffmpeg.*KVS_LOCAL_FFMPEG=.*no-ffmpeg-here is not an executable file/,
      );
      const listed = await client.send(
        new ListFragmentsCommand({ StreamName: "cam", MaxResults: 1 }),
      );
      expect(listed.Fragments).toHaveLength(1);
    } finally {
      if (saved === undefined) delete process.env.KVS_LOCAL_FFMPEG;
      else process.env.KVS_LOCAL_FFMPEG = saved;
    }
  });
});

describe("GetImages decodes", () => {
  const ffmpegChildren = async () => {
    const { stdout } = await run("ps", ["-o", "comm=", "--ppid", String(process.pid)]).catch(
      () => ({
        stdout: "",
      }),
    );
    return stdout.split("\n").filter((name) => name.trim() === "ffmpeg").length;
  };

  it("runs at most two ffmpeg processes and kills them when the client goes away", async () => {
    const abort = new AbortController();
    const request = client
      .send(
        new GetImagesCommand({
          ...base(T0, T0 + 9600),
          SamplingInterval: 400,
          Format: "PNG",
          WidthPixels: 3840,
          HeightPixels: 2160,
        }),
        { abortSignal: abort.signal },
      )
      .catch((e: unknown) => e);
    let seen = 0;
    const until = Date.now() + 5000;
    while (seen === 0 && Date.now() < until) seen = await ffmpegChildren();
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThanOrEqual(2);
    abort.abort();
    expect(await request).toMatchObject({ name: "AbortError" });
    let left = seen;
    // Killed, not left to finish: gone within half a second.
    const gone = Date.now() + 500;
    while (left > 0 && Date.now() < gone) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      left = await ffmpegChildren();
    }
    expect(left).toBe(0);
    // And the decodes still queued for the request never start.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await ffmpegChildren()).toBe(0);
    expect(backend.stats.abandoned("GetImages")).toBeGreaterThanOrEqual(1);
  });
});

describe("GetImages rate limit", () => {
  it("answers ClientLimitExceededException past --get-images-rate calls per second per stream", async () => {
    const limited = await startLocalKvs([], { getImagesRatePerSecond: 1 });
    await fillStream(limited.endpoint, "cam", demoSample().bytes, T0);
    const limitedClient = await archivedMedia(limited.endpoint, "cam", "GET_IMAGES");
    try {
      const input = { ...base(T0, T0), SamplingInterval: 1000, WidthPixels: 8, HeightPixels: 8 };
      await limitedClient.send(new GetImagesCommand(input));
      const error = await limitedClient.send(new GetImagesCommand(input)).catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: "ClientLimitExceededException",
        $metadata: { httpStatusCode: 400 },
      });
    } finally {
      limitedClient.destroy();
      await limited.stop();
    }
  });
});

describe("GetImages (AWS CLI)", () => {
  it("pages through images with the CLI's own paginator and decodes them", async () => {
    const outcome = await new Promise<{ code: number; stdout: string; stderr: string }>(
      (resolve) => {
        execFile(
          "/usr/bin/aws",
          [
            "kinesis-video-archived-media",
            "get-images",
            "--endpoint-url",
            backend.endpoint,
            "--stream-name",
            "cam",
            "--image-selector-type",
            "PRODUCER_TIMESTAMP",
            "--start-timestamp",
            String(T0 / 1000),
            "--end-timestamp",
            String(T0 / 1000 + 90),
            // Debian's botocore carries the older model's minimum of 3000 ms.
            "--sampling-interval",
            "3000",
            "--format",
            "PNG",
            "--width-pixels",
            "64",
            "--height-pixels",
            "48",
          ],
          { env: awsCliEnv(dir), timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
          (error, stdout, stderr) =>
            resolve({
              code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
              stdout,
              stderr,
            }),
        );
      },
    );
    expect(outcome.stderr).toBe("");
    expect(outcome.code).toBe(0);
    const images = (
      JSON.parse(outcome.stdout) as {
        Images: Array<{ TimeStamp: string; ImageContent?: string; Error?: string }>;
      }
    ).Images;
    // 31 points: more than one page, joined by the CLI's paginator.
    expect(images.map((image) => Date.parse(image.TimeStamp) / 1000)).toEqual(
      Array.from({ length: 31 }, (_, i) => T0 / 1000 + i * 3),
    );
    expect(
      images
        .filter((image) => image.Error === undefined)
        .map((image) => Date.parse(image.TimeStamp) / 1000),
    ).toEqual([0, 3, 6, 9, 30, 33, 36, 39].map((s) => T0 / 1000 + s));
    expect(await pictureSize(images[10]?.ImageContent ?? "", "png")).toMatchObject({
      width: 64,
      height: 48,
    });
  });
});
