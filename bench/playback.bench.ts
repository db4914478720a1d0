// Live playback through the viewer in Debian's chromium against the demo stream: how far behind
// the wall clock the picture shown is (the fragment date hls.js plays, from the playlist's
// EXT-X-PROGRAM-DATE-TIME, vs now) next to the fragment duration, and the time from the
// viewer's playback query to its first frame. Run: node bench/playback.bench.ts
import { launchChromium } from "../test/support/chromium.ts";
import { startStack } from "../test/support/stack.ts";
import { reportFigure } from "./support/report.ts";

const SAMPLES = 10;

const stack = await startStack({ kvs: { demoStream: true } });
const browser = await launchChromium();
try {
  // Let the demo camera fill a live window first, as a stream that has been running would.
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  const page = await browser.newPage();
  await page.goto(`${stack.url}/viewer/`);
  await page.waitForFunction(
    () => performance.getEntriesByName("first-frame").length > 0,
    undefined,
    {
      timeout: 60_000,
    },
  );
  const firstFrameMs = await page.evaluate(() => {
    const query = performance.getEntriesByName("playback-query").at(-1);
    const frame = performance.getEntriesByName("first-frame").at(-1);
    return (frame?.startTime ?? 0) - (query?.startTime ?? 0);
  });
  const behind: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    await page.waitForTimeout(1_000);
    const value = await page.$eval("#live-video", (video: HTMLVideoElement) =>
      Number(video.dataset.behindMs),
    );
    if (Number.isFinite(value)) behind.push(value);
  }
  const arn = stack.kvs.store.getStreamByName("demo")?.streamArn ?? "";
  const fragments = stack.kvs.store.listFragments(arn);
  const meanDuration =
    fragments.reduce((n, f) => n + f.durationMs, 0) / Math.max(1, fragments.length);
  const sorted = [...behind].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  console.log(
    "live playback, demo stream, viewer in chromium (hls.js, LIVE window of 3 fragments)",
  );
  console.log(
    `  behind wall clock (server time of the frame shown): median ${(median / 1000).toFixed(2)} s, min ${((sorted[0] ?? Number.NaN) / 1000).toFixed(2)} s, max ${((sorted.at(-1) ?? Number.NaN) / 1000).toFixed(2)} s over ${behind.length} samples`,
  );
  console.log(
    `  fragment duration: ${(meanDuration / 1000).toFixed(2)} s (ratio ${(median / meanDuration).toFixed(1)} fragments behind)`,
  );
  console.log(`  playback query to first frame: ${firstFrameMs.toFixed(0)} ms`);
  reportFigure({
    figure: "live playback latency in the viewer (hls.js in chromium)",
    value: `${(median / 1000).toFixed(2)} s behind the wall clock`,
    reference: `fragment duration ${(meanDuration / 1000).toFixed(2)} s`,
    ratio: median / meanDuration,
    note: `fragments behind; playback query to first frame ${firstFrameMs.toFixed(0)} ms`,
  });
} finally {
  await browser.close();
  await stack.stop();
}
