// The viewer's video player in Debian's chromium against the demo stream: hls.js (served by the
// gateway from node_modules, under the page's CSP) plays the LIVE session URL that
// Stream.playback hands out, straight from kvs-local; the picture is drawn (not blank) and
// time advances; a selected range plays on demand; the session is renewed before it expires.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectErrors, launchChromium } from "../../support/chromium.ts";
import { type Stack, startStack } from "../../support/stack.ts";

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ kvs: { demoStream: true } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Spread of the luma of a frame drawn to a canvas: 0 for a blank (one-colour) picture. */
function frameSpread(page: Page): Promise<{ width: number; spread: number }> {
  return page.$eval("#live-video", (video: HTMLVideoElement) => {
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext("2d");
    if (!context || canvas.width === 0) return { width: 0, spread: 0 };
    context.drawImage(video, 0, 0);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let min = 255;
    let max = 0;
    for (let i = 0; i < data.length; i += 4) {
      const luma = 0.299 * (data[i] ?? 0) + 0.587 * (data[i + 1] ?? 0) + 0.114 * (data[i + 2] ?? 0);
      min = Math.min(min, luma);
      max = Math.max(max, luma);
    }
    return { width: canvas.width, spread: max - min };
  });
}

const videoState = (page: Page) =>
  page.$eval("#live-video", (video: HTMLVideoElement) => ({
    readyState: video.readyState,
    currentTime: video.currentTime,
    mode: video.dataset.mode ?? "",
    renewsAt: video.dataset.renewsAt ?? "",
    expiresAt: video.dataset.expiresAt ?? "",
    src: video.currentSrc,
  }));

describe("live video in the viewer", () => {
  it("plays the demo stream live: frames drawn, time advancing, session renewed before expiry", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = collectErrors(page);
    const kvsRequests: string[] = [];
    const refused: string[] = [];
    page.on("response", (response) => {
      if (response.status() >= 400) refused.push(response.headers()["x-amzn-errortype"] ?? "");
    });
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.origin === stack.kvs.endpoint) kvsRequests.push(url.pathname);
    });
    try {
      await page.goto(`${stack.url}/viewer/`);
      await page
        .waitForFunction(
          () => (document.querySelector<HTMLVideoElement>("#live-video")?.readyState ?? 0) >= 2,
          undefined,
          { timeout: 30_000 },
        )
        .catch(async (error: unknown) => {
          const seen = `${await page.textContent("#player-info")} / ${await page.textContent("#problem")}`;
          throw new Error(
            `${String(error)}; player: ${seen}; ${JSON.stringify(await videoState(page))}; refused ${refused.join(",")}; ${errors.join(" | ")}`,
          );
        });
      const first = await videoState(page);
      expect(first.mode).toBe("LIVE");
      expect(first.src.startsWith("blob:")).toBe(true);
      // Renewed a minute before the session's end.
      expect(Date.parse(first.expiresAt) - Date.parse(first.renewsAt)).toBe(60_000);
      expect(await page.textContent("#player-info")).toMatch(/^Live over HLS; session renews at /);

      // Time moves on for five seconds and more, a second at a time.
      const times = [first.currentTime];
      for (let i = 0; i < 6; i++) {
        await page.waitForTimeout(1_000);
        times.push((await videoState(page)).currentTime);
      }
      for (let i = 1; i < times.length; i++)
        expect(times[i]).toBeGreaterThan(times[i - 1] as number);
      expect((times.at(-1) as number) - (times[0] as number)).toBeGreaterThanOrEqual(5);

      const frame = await frameSpread(page);
      expect(frame.width).toBe(320);
      expect(frame.spread).toBeGreaterThan(50);

      // From KVS directly: playlists and fMP4 fragments of the session, nothing through the gateway.
      expect(kvsRequests).toContain("/hls/v1/getHLSMasterPlaylist.m3u8");
      expect(kvsRequests).toContain("/hls/v1/getMP4InitFragment.mp4");
      expect(kvsRequests).toContain("/hls/v1/getMP4MediaFragment.mp4");
      // KVS's per-session rate (10 fragments a second) may refuse a request of hls.js's first
      // burst; the player retries those. Chrome logs each refusal; nothing else may fail.
      expect(refused.every((type) => type === "ClientLimitExceededException")).toBe(true);
      expect(errors.filter((e) => !e.includes("status of 400"))).toEqual([]);
      expect(errors).toHaveLength(refused.length);
    } finally {
      await page.close();
    }
  });

  it("plays a range selected on the timeline on demand", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    try {
      await page.goto(`${stack.url}/viewer/`);
      await page.waitForFunction(
        () => document.querySelectorAll(".fragment").length >= 4,
        undefined,
        {
          timeout: 30_000,
        },
      );
      // Clicked through the DOM: the timeline moves every second, too fast for pointer clicks.
      await page.$$eval(".fragment", (blocks) => {
        (blocks[0] as HTMLElement).click();
        (blocks[2] as HTMLElement).click();
      });
      await page.click("#play-selection");
      await page.waitForFunction(
        () => {
          const video = document.querySelector<HTMLVideoElement>("#live-video");
          return video?.dataset.mode === "ON_DEMAND" && video.readyState >= 2 && video.duration > 1;
        },
        undefined,
        { timeout: 30_000 },
      );
      expect(await page.textContent("#player-info")).toMatch(/^Recorded range over HLS/);
      expect((await frameSpread(page)).spread).toBeGreaterThan(50);
    } finally {
      await page.close();
    }
  });
});
