// npm run soak: the long soak (test/support/soak.ts), about three minutes; exits 1 on a problem.
import { runSoak } from "../test/support/soak.ts";

const minutes = Number(process.env.SOAK_MINUTES ?? 3);
if (!(minutes > 0 && minutes <= 30)) throw new Error("SOAK_MINUTES: more than 0, at most 30");
const report = await runSoak({
  durationMs: minutes * 60_000,
  wsSubscribers: 200,
  sseSubscribers: 40,
  queriesPerSecond: 20,
  clipEveryMs: 2000,
  faultEveryMs: 1500,
  getMediaSessionSeconds: 15,
  log: (line) => console.log(line),
});
console.log(
  `soak: ${(report.elapsedMs / 1000).toFixed(0)} s, ${report.subscribers} subscribers, ${report.persisted} fragments persisted, ${report.queries} queries, ${report.clips} clips, ${report.faults} faults injected; HTTP statuses ${JSON.stringify(report.statuses)}; heap ${report.heapBaselineMb.toFixed(1)} MB → ${report.heapEndMb.toFixed(1)} MB`,
);
if (report.problems.length > 0) {
  console.log(`soak FAILED:\n  ${report.problems.slice(0, 30).join("\n  ")}`);
  process.exit(1);
}
console.log("soak passed");
process.exit(0);
