// GetHLSStreamingSessionURL and GetDASHStreamingSessionURL against kvs-local through the real
// SDK client and the AWS CLI, with the playlists, manifests and fragments played by ffprobe and
// ffmpeg: ON_DEMAND gives every frame of the ingested sample (as many video frames as GetClip of
// the same range), LIVE_REPLAY grows as the fragments' durations pass, tokens expire, and the
// documented errors and per-session rates are met.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Clock } from "../../../src/local-kvs/clock.ts";
import type { LocalKvs } from "../../../src/local-kvs/index.ts";
import { getClipToFile } from "../../support/clips.ts";
import { archivedMedia, awsCliEnv, createStreams, startLocalKvs } from "../../support/kvs-local.ts";
import { ffprobe, run } from "../../support/media.ts";
import { demoSample } from "../../support/mkv.ts";
import {
  codecErrorCases,
  dashUrl,
  fetchText,
  hlsError,
  hlsUrl,
  playlistUris,
  probeFrames,
  twoFragmentsWith,
  videoPlaylistUrl,
} from "../../support/playback-media.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { ingestAt } from "../../support/seed.ts";

/** Whole seconds: botocore sends timestamps as whole epoch seconds. */
const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
const sample = demoSample();
const sampleVideoFrames = sample.clusters.reduce((n, c) => n + c.videoFrames, 0);
const sampleAudioFrames = sample.clusters.reduce((n, c) => n + c.audioFrames, 0);
const range = { StartTimestamp: new Date(T0), EndTimestamp: new Date(T0 + 60_000) };
const producerSelector = {
  FragmentSelectorType: "PRODUCER_TIMESTAMP" as const,
  TimestampRange: range,
};

/** Server time as the test wants it: expiry and the 30-second LIVE rule without waiting. */
let offsetMs = 0;
const clock: Clock = { now: () => Date.now() + offsetMs };
let backend: LocalKvs;
let dir: string;

beforeAll(async () => {
  backend = await startLocalKvs([], {
    clock,
    playbackFragmentRatePerSecond: 0,
    playbackPlaylistRatePerSecond: 0,
  });
  dir = await scratchDirectory("kvs-playback-test-");
  await createStreams(backend.endpoint, ["sample"]);
  await ingestAt(backend.endpoint, "sample", sample.bytes, T0);
});

afterAll(async () => {
  await backend?.stop();
  await removeScratchDirectory(dir);
});

describe("HLS ON_DEMAND", () => {
  it("plays every frame of the ingested sample as H.264 + AAC in fMP4, through the SDK", async () => {
    const url = await hlsUrl(backend.endpoint, {
      StreamName: "sample",
      PlaybackMode: "ON_DEMAND",
      HLSFragmentSelector: producerSelector,
    });
    expect(url).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/hls\/v1\/getHLSMasterPlaylist\.m3u8\?SessionToken=[\w-]+$/,
    );
    const media = await fetchText(await videoPlaylistUrl(url));
    expect(media.text).toContain("#EXT-X-PLAYLIST-TYPE:VOD");
    expect(media.text).toContain("#EXT-X-ENDLIST");
    expect(media.text).toMatch(/#EXT-X-MAP:URI="getMP4InitFragment\.mp4\?/);
    expect(playlistUris(url, media.text)).toHaveLength(sample.clusters.length);
    const played = await probeFrames(url);
    expect(played).toEqual({
      video: sampleVideoFrames,
      audio: sampleAudioFrames,
      videoCodec: "h264",
      audioCodec: "aac",
    });
  });

  it("gives the init fragment as ftyp + moov and each media fragment as moof + mdat", async () => {
    const url = await hlsUrl(backend.endpoint, {
      StreamName: "sample",
      PlaybackMode: "ON_DEMAND",
      HLSFragmentSelector: producerSelector,
    });
    const media = await fetchText(await videoPlaylistUrl(url));
    const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(media.text)?.[1] as string;
    const boxes = async (u: string | URL) => {
      const bytes = new Uint8Array(await (await fetch(new URL(u, url))).arrayBuffer());
      const types: string[] = [];
      for (let at = 0; at + 8 <= bytes.length; ) {
        types.push(String.fromCharCode(...bytes.subarray(at + 4, at + 8)));
        at += new DataView(bytes.buffer).getUint32(at);
      }
      return types;
    };
    expect(await boxes(init)).toEqual(["ftyp", "moov"]);
    expect(await boxes(playlistUris(url, media.text)[1] as URL)).toEqual(["moof", "mdat"]);
  });

  it("gives ffmpeg -c copy as many video frames as GetClip of the same range", async () => {
    const url = await hlsUrl(backend.endpoint, {
      StreamName: "sample",
      PlaybackMode: "ON_DEMAND",
      HLSFragmentSelector: producerSelector,
    });
    const copied = path.join(dir, "hls-copy.mp4");
    await run("ffmpeg", ["-v", "error", "-y", "-i", url, "-c", "copy", copied]);
    const client = await archivedMedia(backend.endpoint, "sample", "GET_CLIP");
    const clipFile = path.join(dir, "clip.mp4");
    try {
      await getClipToFile(client, "sample", { startMs: T0, endMs: T0 + 60_000 }, clipFile);
    } finally {
      client.destroy();
    }
    const [fromHls, fromClip] = [await ffprobe(copied), await ffprobe(clipFile)];
    expect(fromHls.video?.frames).toBe(fromClip.video?.frames);
    expect(fromHls.video?.frames).toBe(sampleVideoFrames);
  });

  it("plays MPEG_TS sessions from getTSFragment.ts segments holding both tracks", async () => {
    const url = await hlsUrl(backend.endpoint, {
      StreamName: "sample",
      PlaybackMode: "ON_DEMAND",
      ContainerFormat: "MPEG_TS",
      HLSFragmentSelector: producerSelector,
    });
    const media = await fetchText(await videoPlaylistUrl(url));
    expect(playlistUris(url, media.text)[0]?.pathname).toBe("/hls/v1/getTSFragment.ts");
    expect(media.text).not.toContain("EXT-X-MAP");
    const played = await probeFrames(url);
    expect(played.video).toBe(sampleVideoFrames);
    expect(played.videoCodec).toBe("h264");
    expect(played.audioCodec).toBe("aac");
  });

  it("marks discontinuities per DiscontinuityMode and dates fragments with DisplayFragmentTimestamp", async () => {
    const playlist = async (extra: Record<string, string>) =>
      (
        await fetchText(
          await videoPlaylistUrl(
            await hlsUrl(backend.endpoint, {
              StreamName: "sample",
              PlaybackMode: "ON_DEMAND",
              HLSFragmentSelector: producerSelector,
              ...extra,
            }),
          ),
        )
      ).text;
    const count = (text: string, tag: string) =>
      text.split("\n").filter((l) => l.startsWith(tag)).length;
    const always = await playlist({
      DiscontinuityMode: "ALWAYS",
      DisplayFragmentTimestamp: "ALWAYS",
    });
    expect(count(always, "#EXT-X-DISCONTINUITY\n".trim())).toBeGreaterThanOrEqual(
      sample.clusters.length - 1,
    );
    expect(count(always, "#EXT-X-PROGRAM-DATE-TIME:")).toBe(sample.clusters.length);
    expect(always).toContain(`#EXT-X-PROGRAM-DATE-TIME:${new Date(T0).toISOString()}`);
    // The sample's Clusters follow each other without gaps: nothing to mark.
    const producerDefault = await playlist({});
    expect(producerDefault).not.toContain("#EXT-X-DISCONTINUITY\n");
    expect(await playlist({ DiscontinuityMode: "ON_DISCONTINUITY" })).not.toContain(
      "#EXT-X-DISCONTINUITY\n",
    );
    expect(producerDefault).not.toContain("PROGRAM-DATE-TIME");
  });

  it("answers the AWS CLI's get-hls-streaming-session-url with a URL ffprobe plays", async () => {
    const env = awsCliEnv(dir);
    const { stdout } = await promisify(execFile)(
      "/usr/bin/aws",
      [
        ...[
          "kinesis-video-archived-media",
          "get-hls-streaming-session-url",
          "--endpoint-url",
          backend.endpoint,
        ],
        ...["--stream-name", "sample", "--playback-mode", "ON_DEMAND"],
        "--hls-fragment-selector",
        `FragmentSelectorType=PRODUCER_TIMESTAMP,TimestampRange={StartTimestamp=${T0 / 1000},EndTimestamp=${T0 / 1000 + 60}}`,
        ...["--query", "HLSStreamingSessionURL", "--output", "text"],
      ],
      { env, timeout: 60_000 },
    );
    const played = await probeFrames(stdout.trim());
    expect(played.video).toBe(sampleVideoFrames);
    expect(played.audio).toBe(sampleAudioFrames);
  });
});

describe("DASH", () => {
  it("plays an ON_DEMAND manifest with every video frame, with kvs:ts and kvs:fn when asked", async () => {
    const url = await dashUrl(backend.endpoint, {
      StreamName: "sample",
      PlaybackMode: "ON_DEMAND",
      DisplayFragmentTimestamp: "ALWAYS",
      DisplayFragmentNumber: "ALWAYS",
      DASHFragmentSelector: producerSelector,
    });
    expect(url).toMatch(/\/dash\/v1\/getDASHManifest\.mpd\?SessionToken=[\w-]+$/);
    const mpd = await fetchText(url);
    expect(mpd.text).toContain('type="static"');
    expect(mpd.text.match(/<S t="\d+" d="\d+" kvs:ts="\d+" kvs:fn="\d+"\/>/g)).toHaveLength(
      2 * sample.clusters.length,
    );
    expect(mpd.text).toContain(`kvs:ts="${T0}"`);
    const played = await probeFrames(url);
    expect(played.video).toBe(sampleVideoFrames);
    expect(played.videoCodec).toBe("h264");
    expect(played.audioCodec).toBe("aac");
  });
});

describe("LIVE_REPLAY", () => {
  it("adds the next fragment once the previous one's duration has passed, then ends at EndTimestamp", async () => {
    const url = await hlsUrl(backend.endpoint, {
      StreamName: "sample",
      PlaybackMode: "LIVE_REPLAY",
      HLSFragmentSelector: producerSelector,
    });
    const playlist = await videoPlaylistUrl(url);
    const first = (await fetchText(playlist)).text;
    expect(playlistUris(playlist, first)).toHaveLength(1);
    expect(first).not.toContain("#EXT-X-ENDLIST");
    offsetMs += 2_500; // past the first two one-second fragments
    const later = (await fetchText(playlist)).text;
    expect(playlistUris(playlist, later)).toHaveLength(3);
    offsetMs += 60_000;
    const end = (await fetchText(playlist)).text;
    // A window of the default 5, the last of the sample, and the end of the replay.
    expect(end).toContain("#EXT-X-ENDLIST");
    expect(playlistUris(playlist, end)).toHaveLength(5);
    expect(end).toContain(`#EXT-X-MEDIA-SEQUENCE:${sample.clusters.length - 5}`);
  });
});

describe("session errors", () => {
  it("refuses a token once Expires has passed with NotAuthorizedException (403)", async () => {
    const url = await hlsUrl(backend.endpoint, {
      StreamName: "sample",
      PlaybackMode: "ON_DEMAND",
      Expires: 300,
      HLSFragmentSelector: producerSelector,
    });
    expect((await fetchText(url)).status).toBe(200);
    offsetMs += 301_000;
    const refused = await fetchText(url);
    expect(refused.status).toBe(403);
    expect(refused.errorType).toBe("NotAuthorizedException");
    expect((await fetchText(url.replace(/SessionToken=.*/, "SessionToken=forged"))).errorType).toBe(
      "NotAuthorizedException",
    );
  });

  it("answers LIVE with ResourceNotFoundException when no fragment arrived in the last 30 s", async () => {
    offsetMs += 31_000;
    expect(await hlsError(backend.endpoint, { StreamName: "sample", PlaybackMode: "LIVE" })).toBe(
      "ResourceNotFoundException",
    );
  });

  it("answers InvalidArgumentException for the combinations KVS rejects", async () => {
    const bad = [
      { PlaybackMode: "LIVE" as const, HLSFragmentSelector: producerSelector },
      { PlaybackMode: "ON_DEMAND" as const },
      {
        PlaybackMode: "ON_DEMAND" as const,
        HLSFragmentSelector: {
          ...producerSelector,
          TimestampRange: { StartTimestamp: new Date(T0) },
        },
      },
      {
        PlaybackMode: "ON_DEMAND" as const,
        HLSFragmentSelector: {
          ...producerSelector,
          TimestampRange: { StartTimestamp: new Date(T0), EndTimestamp: new Date(T0 + 86_400_001) },
        },
      },
      { PlaybackMode: "ON_DEMAND" as const, Expires: 299, HLSFragmentSelector: producerSelector },
      {
        PlaybackMode: "ON_DEMAND" as const,
        Expires: 43_201,
        HLSFragmentSelector: producerSelector,
      },
      {
        PlaybackMode: "ON_DEMAND" as const,
        MaxMediaPlaylistFragmentResults: 5_001,
        HLSFragmentSelector: producerSelector,
      },
      {
        PlaybackMode: "ON_DEMAND" as const,
        HLSFragmentSelector: {
          FragmentSelectorType: "SERVER_TIMESTAMP" as const,
          TimestampRange: {
            StartTimestamp: new Date(),
            EndTimestamp: new Date(Date.now() + offsetMs + 60_000),
          },
        },
      },
    ];
    for (const input of bad) {
      expect(
        await hlsError(backend.endpoint, { StreamName: "sample", ...input }),
        JSON.stringify(input),
      ).toBe("InvalidArgumentException");
    }
  });

  it("answers ResourceNotFound, NoDataRetention and the codec exceptions", async () => {
    const onDemand = { PlaybackMode: "ON_DEMAND" as const, HLSFragmentSelector: producerSelector };
    expect(
      await hlsError(backend.endpoint, {
        StreamName: "sample",
        PlaybackMode: "ON_DEMAND",
        HLSFragmentSelector: {
          ...producerSelector,
          TimestampRange: { StartTimestamp: new Date(T0 - 60_000), EndTimestamp: new Date(T0 - 1) },
        },
      }),
    ).toBe("ResourceNotFoundException");
    await createStreams(backend.endpoint, ["no-retention"], { dataRetentionInHours: 0 });
    expect(await hlsError(backend.endpoint, { StreamName: "no-retention", ...onDemand })).toBe(
      "NoDataRetentionException",
    );
    for (const { stream, tracks, error } of codecErrorCases()) {
      await createStreams(backend.endpoint, [stream]);
      await ingestAt(backend.endpoint, stream, twoFragmentsWith(tracks), T0);
      expect(await hlsError(backend.endpoint, { StreamName: stream, ...onDemand }), stream).toBe(
        `${error}Exception`,
      );
    }
  });
});

describe("per-session rates", () => {
  it("answers playlist requests beyond 5 a second with ClientLimitExceededException", async () => {
    const limited = await startLocalKvs([], {
      playbackPlaylistRatePerSecond: 5,
      clock: { now: () => T0 + 3_600_000 },
    });
    try {
      await createStreams(limited.endpoint, ["sample"]);
      await ingestAt(limited.endpoint, "sample", sample.bytes, T0);
      const url = await hlsUrl(limited.endpoint, {
        StreamName: "sample",
        PlaybackMode: "ON_DEMAND",
        HLSFragmentSelector: producerSelector,
      });
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await fetchText(url));
      expect(answers.slice(0, 5).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      expect(answers[5]?.errorType).toBe("ClientLimitExceededException");
      expect(answers[5]?.status).toBe(400);
    } finally {
      await limited.stop();
    }
  });
});
