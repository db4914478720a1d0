// `npm run bench`: runs every benchmark under bench/ one after another (each in its own process, so
// none inherits another's heap or sockets), prints their output as it comes, and writes
// docs/benchmarks.md from the figures they recorded (bench/support/report.ts): each figure, this
// project's value, its reference, the ratio, with the machine and the date of the run.
// `npm run bench -- timeline cluster` runs only the benches whose names contain those words and
// leaves docs/benchmarks.md alone.

import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Figure } from "../bench/support/report.ts";

const REPO = path.resolve(import.meta.dirname, "..");
const BENCH = path.join(REPO, "bench");
const PAGE = path.join(REPO, "docs", "benchmarks.md");

interface Recorded extends Figure {
  bench: string;
}

const only = process.argv.slice(2);
const benches = (await readdir(BENCH))
  .filter((file) => file.endsWith(".bench.ts"))
  .filter((file) => only.length === 0 || only.some((word) => file.includes(word)))
  .sort();

const scratch = await mkdtemp(path.join(os.tmpdir(), "bench-report-"));
const reportFile = path.join(scratch, "figures.jsonl");
const failures: string[] = [];
const started = new Date();

for (const file of benches) {
  console.log(`\n=== bench/${file}`);
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "./scripts/check-node.mjs", `bench/${file}`],
      {
        cwd: REPO,
        env: { ...process.env, BENCH_REPORT_FILE: reportFile },
        stdio: "inherit",
      },
    );
    child.once("exit", resolve);
  });
  if (code !== 0) failures.push(`${file} (exit ${code})`);
  // Written after each bench, so a run cut short still leaves what it measured.
  if (only.length === 0) await writeFile(PAGE, page(await recorded(), started, benches, failures));
}

const figures = await recorded();
await rm(scratch, { recursive: true, force: true });
if (only.length === 0) {
  console.log(`\nwrote ${path.relative(REPO, PAGE)} (${figures.length} figures)`);
}
if (failures.length > 0) {
  console.error(`benchmarks that failed: ${failures.join(", ")}`);
  process.exit(1);
}

async function recorded(): Promise<Recorded[]> {
  return (await readFile(reportFile, "utf8").catch(() => ""))
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Recorded);
}

function page(recorded: Recorded[], at: Date, ran: string[], failed: string[]): string {
  const cpus = os.cpus();
  const lines = [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (scripts/bench.ts) from one run; do not edit by hand. Each row is a",
    "figure one of the scripts under `bench/` measured, next to the reference it is measured",
    "against in the same run. Figures on a shared machine move by tens of percent between runs;",
    "the ratios are steadier than the absolute values.",
    "",
    `- Date: ${at.toISOString().slice(0, 16).replace("T", " ")} UTC`,
    `- Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}`,
    `- Node ${process.versions.node}; load average at the end ${os
      .loadavg()
      .map((n) => n.toFixed(1))
      .join(" / ")}`,
    `- Benches: ${ran.join(", ")}${failed.length > 0 ? `; failed: ${failed.join(", ")}` : ""}`,
    "",
  ];
  const byBench = new Map<string, Recorded[]>();
  for (const figure of recorded) {
    const list = byBench.get(figure.bench) ?? [];
    list.push(figure);
    byBench.set(figure.bench, list);
  }
  for (const [bench, list] of byBench) {
    lines.push(
      `## bench/${bench}`,
      "",
      "| figure | this project | reference | ratio | note |",
      "|---|---|---|---|---|",
    );
    for (const f of list) {
      const ratio =
        f.ratio === null ? "—" : `${f.ratio >= 10 ? f.ratio.toFixed(0) : f.ratio.toFixed(2)}×`;
      const cell = (text: string) => text.replaceAll("|", "\\|");
      lines.push(
        `| ${cell(f.figure)} | ${cell(f.value)} | ${cell(f.reference)} | ${ratio} | ${cell(f.note ?? "")} |`,
      );
    }
    lines.push("");
  }
  return `${lines.join("\n")}\n`;
}
