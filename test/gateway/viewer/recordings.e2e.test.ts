// The viewer's recording timeline in chromium: a day with two recordings 20 minutes apart
// (ingested while kvs-local's clock reads 2026-01-16, 10:04:59.5 and 10:24:59.5 UTC) shows its 24
// hours with only the 10:00 hour filled, both recordings with the gap between them, and a strip
// of thumbnails whose <img> elements load the gateway's signed image links; clicking one plays a
// clip from there.

import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Clock } from "../../../src/local-kvs/clock.ts";
import { collectErrors, launchChromium } from "../../support/chromium.ts";
import { createStreams } from "../../support/kvs-local.ts";
import { makeTestVideo } from "../../support/media.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { ingest } from "../../support/seed.ts";
import { type Stack, startStack } from "../../support/stack.ts";

const STREAM = "yard-cam";
// Each PutMedia arrives within milliseconds, so its six 1-second fragments share about one server
// timestamp and cover the second after it: here the strip's sampling points 10:05 and 10:25.
const FIRST = Date.parse("2026-01-16T10:04:59.500Z");
const SECOND = Date.parse("2026-01-16T10:24:59.500Z");

let offsetMs = 0;
const clock: Clock = { now: () => Date.now() + offsetMs };
let stack: Stack;
let browser: Browser;
let directory: string;

beforeAll(async () => {
  directory = await scratchDirectory("viewer-recordings-");
  const video = await makeTestVideo(directory, { seconds: 6, fps: 5, size: "320x180" });
  stack = await startStack({ kvs: { clock } });
  await createStreams(stack.kvs.endpoint, [STREAM]);
  for (const at of [FIRST, SECOND]) {
    offsetMs = at - Date.now();
    await ingest(stack.kvs.endpoint, STREAM, video.bytes, { producerStartTimestampMs: at });
  }
  offsetMs = SECOND + 60_000 - Date.now();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await removeScratchDirectory(directory);
});

describe("the viewer's recordings", () => {
  it("shows the day's hours, its recordings and gap, and thumbnails that load and play", async () => {
    const context = await browser.newContext({
      timezoneId: "UTC",
      viewport: { width: 1280, height: 1400 },
    });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${stack.url}/viewer/?stream=${STREAM}&day=2026-01-16`);

    await page.waitForFunction(
      () => document.querySelectorAll("#recordings li.recording").length === 2,
      undefined,
      {
        timeout: 20_000,
      },
    );
    const hours = await page.$$eval("#hours .hour", (cells) =>
      cells.map((cell) => ({
        start: (cell as HTMLElement).dataset.start,
        ratio: Number((cell as HTMLElement).dataset.ratio),
      })),
    );
    expect(hours).toHaveLength(24);
    expect(hours.filter((hour) => hour.ratio > 0).map((hour) => hour.start)).toEqual([
      "2026-01-16T10:00:00.000Z",
    ]);
    const recordings = await page.$$eval("#recordings li.recording", (items) =>
      items.map((item) => item.textContent ?? ""),
    );
    expect(recordings[0]).toMatch(/^Play 10:04:59 to 10:05:0\d/);
    expect(recordings[1]).toMatch(/^Play 10:24:59 to .*after a gap of 20 min$/);

    // The strip of the latest hour with footage: 10:00, one thumbnail every 5 minutes; the
    // ones at 10:05 and 10:25 fall on footage and load as real pictures of the asked size.
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll<HTMLImageElement>("#thumbnails img")].filter(
          (img) => img.complete && img.naturalWidth > 0,
        ).length >= 2,
      undefined,
      { timeout: 30_000 },
    );
    const images = await page.$$eval("#thumbnails img", (imgs) =>
      imgs.map((img) => ({
        width: (img as HTMLImageElement).naturalWidth,
        height: (img as HTMLImageElement).naturalHeight,
        src: (img as HTMLImageElement).src,
      })),
    );
    expect(images.length).toBeGreaterThanOrEqual(2);
    for (const image of images) {
      expect(image).toMatchObject({ width: 160, height: 90 });
      expect(new URL(image.src).pathname).toMatch(/^\/images\//);
    }
    expect(await page.$$eval("#thumbnails figure", (figures) => figures.length)).toBe(12);

    // A thumbnail plays a clip from its moment.
    await page.click("#thumbnails img");
    await page.waitForFunction(
      () => {
        const video = document.querySelector<HTMLVideoElement>("#video");
        return video !== null && video.src !== "" && video.readyState >= 1 && video.duration > 0;
      },
      undefined,
      { timeout: 30_000 },
    );
    expect(await page.textContent("#clip-info")).toMatch(/fragments/);
    expect(errors).toEqual([]);
    await context.close();
  });
});
