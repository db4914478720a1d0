// GetMediaReader vs the `ebml` npm Decoder on the same real GetMedia capture, in 64 KiB chunks.
// Run: node bench/getmedia-reader.bench.ts
import { readFileSync } from "node:fs";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import ebml from "ebml";
import { GetMediaReader } from "../src/mkv/getmedia/reader.ts";
import { reportFigure } from "./support/report.ts";

const FIXTURES = path.resolve(import.meta.dirname, "../../shared/fixtures/getmedia");
// A typical capture (5 fragments of ~0.5 MB), and a tag-dense one (10 fragments in 22 KB).
const CAPTURES = ["output_get_media.mkv", "test_mixed_tags.mkv"];
const TARGET_BYTES = 50 * 1024 * 1024;
const CHUNK = 64 * 1024;
const MB = 1024 * 1024;

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

function buildInput(name: string): Uint8Array {
  const capture = readFileSync(path.join(FIXTURES, name));
  const copies = Math.ceil(TARGET_BYTES / capture.length);
  const out = new Uint8Array(capture.length * copies);
  for (let i = 0; i < copies; i++) out.set(capture, i * capture.length);
  return out;
}

function chunksOf(input: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < input.length; at += CHUNK) chunks.push(input.subarray(at, at + CHUNK));
  return chunks;
}

function runReader(chunks: Uint8Array[]): { ms: number; fragments: number } {
  const reader = new GetMediaReader();
  let fragments = 0;
  const t0 = performance.now();
  for (const c of chunks) {
    for (const e of reader.push(c)) if (e.type === "fragment") fragments++;
  }
  for (const e of reader.end()) if (e.type === "fragment") fragments++;
  return { ms: performance.now() - t0, fragments };
}

async function runEbmlDecoder(chunks: Uint8Array[]): Promise<{ ms: number; tags: number }> {
  const decoder = new ebml.Decoder();
  let tags = 0;
  decoder.on("data", (entry: [string, { name: string }]) => {
    if (entry[1].name === "TagName") tags++;
  });
  const done = new Promise<void>((resolve, reject) => {
    decoder.on("end", resolve);
    decoder.on("error", reject);
  });
  const t0 = performance.now();
  for (const c of chunks) decoder.write(Buffer.from(c.buffer, c.byteOffset, c.length));
  decoder.end();
  await done;
  return { ms: performance.now() - t0, tags };
}

/** Heap growth while reading: peak heapUsed (after a GC every 64 chunks) minus the baseline. */
function readerHeapGrowth(chunks: Uint8Array[]): { peak: number; retained: number } {
  gc();
  gc();
  const base = process.memoryUsage().heapUsed;
  const reader = new GetMediaReader();
  let peak = Number.NEGATIVE_INFINITY;
  chunks.forEach((c, i) => {
    reader.push(c);
    if (i % 64 === 0) {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    }
  });
  reader.end();
  gc();
  const retained = process.memoryUsage().heapUsed - base;
  return { peak: Math.max(peak, retained), retained };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function bench(name: string): Promise<void> {
  const input = buildInput(name);
  const chunks = chunksOf(input);
  const mb = input.length / MB;
  console.log(`\n${name} repeated to ${mb.toFixed(1)} MiB, ${chunks.length} chunks of 64 KiB`);

  runReader(chunks); // warm-up
  const readerRuns = Array.from({ length: 9 }, () => runReader(chunks));
  const readerMs = median(readerRuns.map((r) => r.ms));
  const memory = readerHeapGrowth(chunks);
  const ebmlRun = await runEbmlDecoder(chunks);

  const readerMBs = mb / (readerMs / 1000);
  const ebmlMBs = mb / (ebmlRun.ms / 1000);
  const kib = (n: number) => `${n >= 0 ? "+" : ""}${(n / 1024).toFixed(0)} KiB`;
  console.log(
    `  GetMediaReader: ${readerMBs.toFixed(0).padStart(7)} MiB/s  (median of 9 runs: ${readerMs.toFixed(1)} ms, ${readerRuns[0]?.fragments} fragments)`,
  );
  console.log(
    `  ebml Decoder  : ${ebmlMBs.toFixed(1).padStart(7)} MiB/s  (${ebmlRun.ms.toFixed(0)} ms, ${ebmlRun.tags} TagNames)`,
  );
  console.log(`  ratio         : ${(readerMBs / ebmlMBs).toFixed(0)}x  (target >= 100x)`);
  reportFigure({
    figure: `GetMedia reader throughput, ${name} (64 KiB chunks)`,
    value: `${readerMBs.toFixed(0)} MiB/s`,
    reference: `ebml npm Decoder ${ebmlMBs.toFixed(1)} MiB/s`,
    ratio: readerMBs / ebmlMBs,
    note: "target ≥ 100×",
  });
  console.log(
    `  reader heap   : peak ${kib(memory.peak)}, ${kib(memory.retained)} after end() (sampled after GC every 64 chunks)`,
  );
}

for (const name of CAPTURES) await bench(name);
