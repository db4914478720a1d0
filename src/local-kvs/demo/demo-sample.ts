// The bundled demo clip (assets/demo-sample.mkv, made by scripts/make-demo-sample.sh) split into
// the header and Clusters the demo camera sends, with each Cluster's place in the loop.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { MkvClusterSplitter } from "../../mkv/ingest/cluster-splitter.ts";

export const DEMO_SAMPLE_PATH = path.resolve(
  import.meta.dirname,
  "../../../assets/demo-sample.mkv",
);

export interface DemoCluster {
  /** The Cluster element as the sample has it. */
  bytes: Uint8Array;
  /** Start within the loop (ms). */
  offsetMs: number;
  /** Until the next Cluster starts (the last one: until its last frame ends). */
  durationMs: number;
}

export interface DemoClip {
  /** EBML header + unknown-size Segment + Info + Tracks: the start of a PutMedia body. */
  header: Uint8Array;
  timecodeScaleNs: number;
  clusters: DemoCluster[];
  /** Length of one pass through the clip (ms). */
  loopMs: number;
}

export async function loadDemoClip(file = DEMO_SAMPLE_PATH): Promise<DemoClip> {
  const splitter = new MkvClusterSplitter();
  const events = [...splitter.push(new Uint8Array(await readFile(file))), ...splitter.end()];
  let header: Uint8Array | undefined;
  let scaleNs = 1_000_000;
  const raw: Array<{ bytes: Uint8Array; startMs: number; endMs: number }> = [];
  for (const event of events) {
    if (event.type === "error") throw new Error(`${file}: ${event.error.message}`);
    if (event.type === "header") {
      header = event.header.bytes;
      scaleNs = event.header.timecodeScaleNs;
    } else if (event.type === "cluster") {
      const { bytes, timecode, durationTicks } = event.cluster;
      const startMs = (timecode * scaleNs) / 1e6;
      raw.push({ bytes, startMs, endMs: startMs + (durationTicks * scaleNs) / 1e6 });
    }
  }
  const first = raw[0];
  if (!header || !first) throw new Error(`${file} holds no header or no Cluster`);
  const clusters = raw.map((c, i) => {
    const next = raw[i + 1];
    const endMs = next ? next.startMs : c.endMs;
    return {
      bytes: c.bytes,
      offsetMs: c.startMs - first.startMs,
      durationMs: Math.max(1, endMs - c.startMs),
    };
  });
  const last = clusters.at(-1) as DemoCluster;
  return { header, timecodeScaleNs: scaleNs, clusters, loopMs: last.offsetMs + last.durationMs };
}
