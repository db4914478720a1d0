// The /viewer page in a real browser (Debian's chromium through playwright-core) against the
// demo stream: the live timeline fills from the SSE subscription, and clips made on it play in
// the page's <video>; behind a proxy's path prefix too; a subscription that keeps failing stops.
// Also the page's HTTP side: types, CSP, the relative redirects, the GRAPHIQL switch.

import { stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectErrors, launchChromium } from "../../support/chromium.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { type Stack, startStack } from "../../support/stack.ts";

let stack: Stack;
let browser: Browser;
let screenshots: string;

beforeAll(async () => {
  // Parts of at most 4 fragments, so that the few seconds of demo stream a test sees already make
  // clips of several GetClips, which the gateway stitches into one fragmented MP4.
  stack = await startStack({
    kvs: { demoStream: true },
    gateway: { clips: { partLimits: { maxFragments: 4 } } },
  });
  screenshots = await scratchDirectory("viewer-");
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (screenshots && !process.env.KEEP_SCREENSHOTS) {
    await removeScratchDirectory(screenshots);
  }
});

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
      const video = document.querySelector<HTMLVideoElement>("#video");
      if (!video || video.src === "" || video.src === previous) return false;
      if (video.error) return true;
      return video.readyState >= 1 && video.duration > 0;
    },
    previousSrc,
    { timeout: 30_000 },
  );
  return page.$eval("#video", (video: HTMLVideoElement) => ({
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
    expect(new URL(page.url()).pathname).toBe("/viewer/");
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

  it("plays this hour as one stitched file and today's timelapse", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = collectErrors(page);
    await page.goto(`${stack.url}/viewer/`);
    // Enough of the demo stream for a few parts of 4 fragments.
    await page.waitForFunction(() => document.querySelectorAll(".fragment").length >= 12, {
      timeout: 20_000,
    });

    await page.click("#last-hour");
    const hour = await videoLoaded(page);
    expect(hour.error).toBeNull();
    // A fragmented MP4's init segment holds no total duration (the player learns it as it
    // reads): play it past the first part boundary (4 fragments, about 4 s) instead.
    await page.$eval("video", (video) => video.play());
    await page.waitForFunction(
      () => (document.querySelector("video")?.currentTime ?? 0) > 5,
      undefined,
      { timeout: 20_000 },
    );
    const fragments = Number(await page.getAttribute("#clip-info", "data-fragment-count"));
    expect(fragments).toBeGreaterThanOrEqual(9);
    // One link for the whole range; the parts listed below it.
    expect(await page.getAttribute("#download a", "href")).toBe(hour.src);
    expect(new URL(hour.src).searchParams.get("assemble")).toBe("whole");
    expect(await page.$$eval("#parts li", (items) => items.length)).toBe(Math.ceil(fragments / 4));

    await page.click("#timelapse-today");
    const timelapse = await videoLoaded(page, hour.src);
    expect(timelapse.error).toBeNull();
    expect(new URL(timelapse.src).searchParams.get("assemble")).toBe("timelapse");
    expect(await page.textContent("#clip-info")).toMatch(/^Timelapse of \d+ fragments at \d+×/);
    expect(await page.isHidden("#parts")).toBe(true);
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

/**
 * A reverse proxy that mounts the gateway under `/kvs/` (the prefix is stripped on the way in);
 * anything outside the prefix answers 404, as a root-absolute URL would behind a real proxy.
 */
async function startPrefixProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    const url = request.url ?? "/";
    if (!url.startsWith("/kvs/")) {
      response.writeHead(404).end();
      return;
    }
    const upstream = http.request(
      new URL(url.slice("/kvs".length), target),
      { method: request.method, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on("error", () => response.destroy());
    response.on("close", () => upstream.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("viewer behind a proxy and when the subscription fails", () => {
  it("works under a path prefix: every request stays under it", async () => {
    const proxy = await startPrefixProxy(stack.url);
    const page = await browser.newPage();
    try {
      const errors = collectErrors(page);
      const requested: string[] = [];
      // Live video comes from KVS (kvs-local here) directly, not through the gateway.
      page.on("request", (request) => {
        const url = new URL(request.url());
        if (url.origin !== stack.kvs.endpoint) requested.push(url.pathname);
      });
      await page.goto(`${proxy.url}/kvs/`);
      expect(new URL(page.url()).pathname).toBe("/kvs/viewer/");
      // Script and style loaded, streams queried, and the SSE subscription live, all via /kvs/.
      await page.waitForFunction(() => document.querySelectorAll(".fragment.live").length >= 1, {
        timeout: 15_000,
      });
      expect(await page.textContent("#status")).toBe("Live: demo");
      expect(await page.$eval("header", (header) => getComputedStyle(header).display)).toBe("flex");
      expect(await page.getAttribute("a.graphiql", "href")).toBe("../graphql");
      expect(await page.$eval("a.graphiql", (link) => (link as HTMLAnchorElement).pathname)).toBe(
        "/kvs/graphql",
      );
      expect(requested).toContain("/kvs/viewer/viewer.js");
      expect(requested).toContain("/kvs/viewer/viewer.css");
      expect(requested).toContain("/kvs/graphql");
      expect(requested.filter((pathname) => !pathname.startsWith("/kvs/"))).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await proxy.close();
    }
  });

  it("stops reconnecting after errors in a row and asks for a reload", async () => {
    const page = await browser.newPage();
    let attempts = 0;
    // Every subscription opens and ends at once (as a restarting gateway would drop it), with a
    // short retry delay so the browser's reconnects come quickly.
    await page.route(
      (url) => url.pathname === "/graphql",
      (route) => {
        // Only the live subscription (an SSE POST); history queries go through.
        if (!route.request().headers().accept?.includes("text/event-stream")) {
          return route.continue();
        }
        attempts += 1;
        return route.fulfill({
          status: 200,
          headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
          body: "retry: 10\n\n",
        });
      },
    );
    try {
      await page.goto(`${stack.url}/viewer/`);
      await page.waitForFunction(
        () => document.querySelector("#status")?.textContent?.startsWith("Disconnected"),
        undefined,
        { timeout: 15_000 },
      );
      expect(await page.textContent("#status")).toBe("Disconnected from demo (reload to retry)");
      const stopped = attempts;
      expect(stopped).toBe(10);
      // No further attempts once it gave up.
      await page.waitForTimeout(200);
      expect(attempts).toBe(stopped);
    } finally {
      await page.close();
    }
  });
});

describe("viewer route", () => {
  it("serves the files with their types and a self-only CSP, and redirects /", async () => {
    // Relative redirects, so a proxy's path prefix survives them; the query is kept.
    for (const [from, to] of [
      ["/", "viewer/"],
      ["/viewer", "viewer/"],
      ["/viewer?stream=a%20b", "viewer/?stream=a%20b"],
    ] as const) {
      const redirect = await fetch(`${stack.url}${from}`, { redirect: "manual" });
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get("location")).toBe(to);
    }

    // Nothing in the page or its script is root-absolute.
    const html = await (await fetch(`${stack.url}/viewer/`)).text();
    const references = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1]);
    expect(references.sort()).toEqual(["../graphql", "favicon.svg", "viewer.css", "viewer.js"]);
    const script = await (await fetch(`${stack.url}/viewer/viewer.js`)).text();
    expect(script).toContain('new URL("../graphql", location.href)');
    expect(script).not.toMatch(/["'`]\/(?:graphql|clips|viewer)/);
    // The player module and hls.js, imported by the script, are served here as well.
    expect(script).toContain('from "./player.js"');

    for (const [file, type] of [
      ["/viewer/", "text/html; charset=utf-8"],
      ["/viewer/viewer.js", "text/javascript; charset=utf-8"],
      ["/viewer/viewer.css", "text/css; charset=utf-8"],
      ["/viewer/favicon.svg", "image/svg+xml"],
      ["/viewer/player.js", "text/javascript; charset=utf-8"],
      ["/viewer/hls.js", "text/javascript; charset=utf-8"],
    ] as const) {
      const response = await fetch(`${stack.url}${file}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe(type);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      const policy = response.headers.get("content-security-policy") ?? "";
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("script-src 'self'");
      expect(policy).not.toMatch(/unsafe|\*/);
      // Beyond this origin, only fetches of the playback session from KVS (kvs-local here).
      expect(policy).toContain(`connect-src 'self' ${stack.kvs.endpoint};`);
      expect(policy.replace(stack.kvs.endpoint, "")).not.toMatch(/https?:/);
      expect((await response.text()).length).toBeGreaterThan(100);
      expect(response.headers.get("cache-control")).toBe("no-cache");
    }
    expect((await fetch(`${stack.url}/viewer/other.js`)).status).toBe(404);
  });

  it("does not exist when GraphiQL is off", async () => {
    const off = await startStack({ gateway: { graphiql: false } });
    try {
      expect((await fetch(`${off.url}/viewer`)).status).toBe(404);
      expect((await fetch(`${off.url}/viewer/`)).status).toBe(404);
      expect((await fetch(`${off.url}/`, { redirect: "manual" })).status).toBe(404);
    } finally {
      await off.stop();
    }
  });
});
