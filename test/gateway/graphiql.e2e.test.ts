// GraphiQL in a real browser (Debian's chromium through playwright-core): it runs the live
// fragments subscription over WebSocket and shows each new fragment as it arrives, under the page's
// Content-Security-Policy (nothing blocked).

import { stat } from "node:fs/promises";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/chromium.ts";
import { removeScratchDirectory, scratchDirectory } from "../support/scratch.ts";
import { type LiveProducer, startLiveProducer } from "../support/seed.ts";
import { type Stack, startStack } from "../support/stack.ts";
import { waitFor } from "../support/wait.ts";

const STREAM = "browser-live";
const QUERY = `subscription LiveFragments {
  fragments(name: "${STREAM}", start: { type: NOW }) {
    __typename
    ... on FragmentEvent { fragmentNumber serverTimestamp blockCount }
    ... on KvsError { code message }
  }
}
`;

let stack: Stack;
let live: LiveProducer;
let browser: Browser;
let screenshots: string;

beforeAll(async () => {
  stack = await startStack();
  live = await startLiveProducer(stack.kvs, STREAM);
  screenshots = await scratchDirectory("graphiql-");
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await live?.stop();
  await stack?.stop();
  if (screenshots && !process.env.KEEP_SCREENSHOTS) {
    await removeScratchDirectory(screenshots);
  }
});

describe("GraphiQL", () => {
  it("runs Subscription.fragments over WebSocket and shows each new fragment", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const sockets: string[] = [];
    page.on("websocket", (socket) => sockets.push(socket.url()));
    // The page is served with a Content-Security-Policy: nothing GraphiQL does may be blocked.
    const blocked: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
    });
    const served = page.waitForResponse((response) => response.url().includes("/graphql?query="));

    // GraphiQL takes the operation from the `query` parameter, as a shared link would.
    await page.goto(`${stack.url}/graphql?query=${encodeURIComponent(QUERY)}`);
    const headers = (await served).headers();
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    // Chromium asks for gzip and br: the 9 MB page travels compressed.
    expect(headers["content-encoding"]).toBe("br");
    await page.waitForSelector(".graphiql-query-editor .monaco-editor", { timeout: 30_000 });
    await page.waitForFunction(
      () => document.querySelector(".graphiql-query-editor")?.textContent?.includes("fragments"),
      undefined,
      { timeout: 10_000 },
    );
    await page.click("button.graphiql-execute-button");

    // NOW starts after the newest fragment: send only once the shared upstream is open.
    await waitFor(() => stack.services.getMedia.subscriberCount === 1, 10_000, "the subscriber");
    await waitFor(() => stack.kvs.stats.inProgress("GetMedia") === 1, 10_000, "GetMedia to open");

    const shown: string[] = [];
    for (let i = 0; i < 2; i++) {
      const [fragmentNumber] = await live.send(1);
      if (!fragmentNumber) throw new Error("the producer persisted nothing");
      await page.waitForFunction(
        (n) => document.querySelector(".graphiql-response")?.textContent?.includes(n),
        fragmentNumber,
        { timeout: 10_000 },
      );
      // Monaco renders spaces as U+00A0; \s covers both.
      const text = ((await page.textContent(".graphiql-response")) ?? "").replace(/\s+/g, " ");
      expect(text).toContain('"__typename": "FragmentEvent"');
      expect(text).toMatch(/"serverTimestamp": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/);
      shown.push(fragmentNumber);
    }
    // Two different fragments appeared one after the other in the same running subscription.
    expect(new Set(shown).size).toBe(2);
    expect(sockets.some((url) => new URL(url).pathname === "/graphql")).toBe(true);
    expect(blocked).toEqual([]);

    const screenshot = path.join(screenshots, "graphiql-fragments.png");
    await page.screenshot({ path: screenshot });
    expect((await stat(screenshot)).size).toBeGreaterThan(10_000);
    await page.close();
    // Closing the page ends the WebSocket, the subscription and the upstream GetMedia.
    await waitFor(() => stack.kvs.stats.inProgress("GetMedia") === 0, 5000, "GetMedia to close");
  });
});
