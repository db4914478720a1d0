// A benchmark's headline figures, for docs/benchmarks.md: each bench prints its own lines and
// also records here what it measured, what that is compared with, and the ratio. `npm run bench`
// (scripts/bench.ts) sets BENCH_REPORT_FILE and writes the page from what the benches recorded.

import { appendFileSync } from "node:fs";
import path from "node:path";

export interface Figure {
  /** What is measured, e.g. "GetMedia reader throughput, output_get_media.mkv". */
  figure: string;
  /** This project's value, with its unit, e.g. "5,943 MiB/s". */
  value: string;
  /** What it is measured against, with its value, e.g. "ebml Decoder 20.2 MiB/s". */
  reference: string;
  /** value / reference as a number (or a difference, said in `ratioNote`); null when not a ratio. */
  ratio: number | null;
  /** How to read the ratio, or the target, e.g. "target ≥ 100×". */
  note?: string;
}

/** Records a figure of the running bench (a no-op outside `npm run bench`). */
export function reportFigure(figure: Figure): void {
  const file = process.env.BENCH_REPORT_FILE;
  if (!file) return;
  const bench = path.basename(process.argv[1] ?? "unknown");
  appendFileSync(file, `${JSON.stringify({ bench, ...figure })}\n`);
}
