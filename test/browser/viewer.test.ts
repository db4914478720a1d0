// The /viewer page in a real browser (Debian's chromium through playwright-core) against the
// demo stream: the live timeline fills from the SSE subscription, and clips made on it play in
// the page's <video>. Also the page's HTTP side: types, CSP, the `/` redirect, the GRAPHIQL switch.

import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../support/stack.ts";

let stack: Stack;
let browser: Browser;
let screenshots: string;

beforeAll(async () => {
  stack = await startStack({ kvs: { demoStream: true } });
  screenshots = await mkdtemp(path.join(os.tmpdir(), "viewer-"));
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (screenshots && !process.env.KEEP_SCREENSHOTS) {
    await rm(screenshots, { recursive: true, force: true });
  }
});

/** Console errors and uncaught exceptions of a page (a CSP violation is logged as an error). */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

/** Fragment numbers of `stream` from a minute before `end` up to `end`, through the gateway. */
async function archivedFragments(stream: string, end: string): Promise<string[]> {
  const query = `query ($name: String!, $range: TimeRange!) {
    stream(name: $name) { ... on Stream { fragments(range: $range, first: 1000) {
      ... on FragmentConnection { edges { node { number } } } } } }
  }`;
  const start = new Date(Date.parse(end) - 60_000).toISOString();
  const response = await fetch(stack.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables: { name: stream, range: { start, end } } }),
  });
  const body = (await response.json()) as {
    data?: { stream?: { fragments?: { edges?: Array<{ node: { number: string } }> } } };
  };
  const edges = body.data?.stream?.fragments?.edges;
  if (!edges) throw new Error(`fragments query failed: ${JSON.stringify(body)}`);
  return edges.map((edge) => edge.node.number);
}

interface VideoState {
  src: string;
  readyState: number;
  duration: number;
  error: number | null;
}

/** Waits until the <video> has loaded the metadata of a clip other than `previousSrc`. */
async function videoLoaded(page: Page, previousSrc = ""): Promise<VideoState> {
  await page.waitForFunction(
    (previous) => {
      const video = document.querySelector("video");
      if (!video || video.src === "" || video.src === previous) return false;
      if (video.error) return true;
      return video.readyState >= 1 && video.duration > 0;
    },
    previousSrc,
    { timeout: 30_000 },
  );
  return page.$eval("video", (video) => ({
    src: video.src,
    readyState: video.readyState,
    duration: video.duration,
    error: video.error?.code ?? null,
  }));
}

describe("viewer page", () => {
  it("shows the demo stream live and plays clips made on its timeline", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = collectErrors(page);

    // A newcomer opens the gateway's root and lands on the viewer, showing `demo`.
    await page.goto(`${stack.url}/`);
    expect(new URL(page.url()).pathname).toBe("/viewer");
    await page.waitForFunction(
      () => document.querySelector<HTMLSelectElement>("#stream")?.value === "demo",
      undefined,
      { timeout: 10_000 },
    );

    // Two fragments arrive over the SSE subscription (the demo camera sends one a second).
    await page.waitForFunction(() => document.querySelectorAll(".fragment.live").length >= 2, {
      timeout: 15_000,
    });
    expect(await page.textContent("#status")).toBe("Live: demo");
    const liveBlocks = await page.$$eval(".fragment.live", (blocks) =>
      blocks.map((block) => ({
        number: (block as HTMLElement).dataset.number ?? "",
        start: (block as HTMLElement).dataset.start ?? "",
      })),
    );
    const live = liveBlocks.map((block) => block.number);
    for (const number of live) expect(number).toMatch(/^\d{47}$/);
    expect(new Set(live).size).toBe(live.length);
    // Drawn oldest first, left to right.
    const lefts = await page.$$eval(".fragment.live", (blocks) =>
      blocks.map((block) => block.getBoundingClientRect().left),
    );
    expect([...lefts].sort((a, b) => a - b)).toEqual(lefts);
    // History and live events together: every archived fragment up to the newest block is drawn,
    // including one that arrived between the history read and the subscription's start.
    const newest = liveBlocks.at(-1);
    if (!newest) throw new Error("no live block");
    const archived = await archivedFragments("demo", newest.start);
    expect(archived.length).toBeGreaterThanOrEqual(2);
    await page.waitForFunction(
      (numbers) => numbers.every((n) => document.querySelector(`.fragment[data-number="${n}"]`)),
      archived,
      { timeout: 10_000 },
    );

    // The newest fragment's details, per track, from the FragmentEvent.
    const newestRow =
      (await page.textContent(`#recent tr:has(td[title="${newest.number}"])`)) ?? "";
    expect(newestRow).toMatch(/#1 V_MPEG4\/ISO\/AVC: [1-9]\d* \/ [1-9]\d*/);
    expect(newestRow).toMatch(/#2 A_AAC: [1-9]\d* \/ [1-9]\d*/);
    expect(newestRow).toMatch(/\d+ ms/);

    // "Clip last 10 s": a clip query, its signed URL in the <video> and the download link.
    await page.click("#last10");
    const recent = await videoLoaded(page);
    expect(recent.error).toBeNull();
    expect(recent.readyState).toBeGreaterThanOrEqual(1);
    expect(recent.duration).toBeGreaterThan(0);
    expect(new URL(recent.src).pathname).toBe("/clips");
    expect(await page.getAttribute("#download a", "href")).toBe(recent.src);
    expect(Number(await page.getAttribute("#clip-info", "data-fragment-count"))).toBeGreaterThan(1);

    // Two adjacent fragments picked on the timeline make a clip of exactly those two.
    const [first, second] = archived.slice(-2);
    await page.click(`.fragment[data-number="${first}"]`);
    await page.click(`.fragment[data-number="${second}"]`);
    expect(await page.$$eval(".fragment.in-range", (selected) => selected.length)).toBe(2);
    await page.click("#clip-selection");
    const picked = await videoLoaded(page, recent.src);
    expect(picked.error).toBeNull();
    expect(picked.duration).toBeGreaterThan(1);
    expect(await page.getAttribute("#clip-info", "data-fragment-count")).toBe("2");
    // The download link fetches the same MP4 from the page's origin.
    const download = await page.evaluate(async () => {
      const href = document.querySelector<HTMLAnchorElement>("#download a")?.href ?? "";
      const response = await fetch(href);
      const bytes = new Uint8Array(await response.arrayBuffer());
      return {
        status: response.status,
        type: response.headers.get("content-type"),
        brand: new TextDecoder().decode(bytes.subarray(4, 8)),
      };
    });
    expect(download).toEqual({ status: 200, type: "video/mp4", brand: "ftyp" });

    const screenshot = path.join(screenshots, "viewer.png");
    await page.screenshot({ path: screenshot, fullPage: true });
    expect((await stat(screenshot)).size).toBeGreaterThan(10_000);
    expect(await page.isHidden("#problem")).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows a typed error plainly when the stream does not exist", async () => {
    const page = await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(`${stack.url}/viewer?stream=no-such-stream`);
    await page.waitForFunction(
      () => document.querySelector("#status")?.textContent?.startsWith("Ended"),
      undefined,
      {
        timeout: 10_000,
      },
    );
    expect(await page.textContent("#problem")).toMatch(
      /ResourceNotFound \(ResourceNotFoundException\): .*no-such-stream/,
    );
    expect(await page.$$eval(".fragment", (blocks) => blocks.length)).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("viewer route", () => {
  it("serves the files with their types and a self-only CSP, and redirects /", async () => {
    const root = await fetch(`${stack.url}/`, { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/viewer");

    for (const [file, type] of [
      ["/viewer", "text/html; charset=utf-8"],
      ["/viewer/viewer.js", "text/javascript; charset=utf-8"],
      ["/viewer/viewer.css", "text/css; charset=utf-8"],
      ["/viewer/favicon.svg", "image/svg+xml"],
    ] as const) {
      const response = await fetch(`${stack.url}${file}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe(type);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      const policy = response.headers.get("content-security-policy") ?? "";
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("script-src 'self'");
      expect(policy).not.toMatch(/unsafe|https?:|\*/);
      expect((await response.text()).length).toBeGreaterThan(100);
      expect(response.headers.get("cache-control")).toBe("no-cache");
    }
    expect((await fetch(`${stack.url}/viewer/other.js`)).status).toBe(404);
  });

  it("does not exist when GraphiQL is off", async () => {
    const off = await startStack({ gateway: { graphiql: false } });
    try {
      expect((await fetch(`${off.url}/viewer`)).status).toBe(404);
      expect((await fetch(`${off.url}/`, { redirect: "manual" })).status).toBe(404);
    } finally {
      await off.stop();
    }
  });
});
