// The demo camera's media, faster than real time: the bundled demo sample (10 s, 15 fps H.264 +
// AAC, one Cluster per second) looped for `seconds`, each Cluster given the ABSOLUTE timecode it
// would have had if recorded from `startMs`, and sent in one PutMedia as fast as kvs-local takes
// it. What the demo camera does over half an hour takes a few seconds. Resolves with the number
// of fragments persisted (the sample's loop is a little over 10 s, so slightly under one a second).

import { withClusterTimecode } from "../../src/local-kvs/demo/cluster-timecode.ts";
import { loadDemoClip } from "../../src/local-kvs/demo/demo-sample.ts";
import type { LocalKvs } from "../../src/local-kvs/index.ts";
import { putMedia } from "../../src/local-kvs/producer/put-media-client.ts";
import { createStreams, dataEndpoint } from "./kvs-local.ts";

export async function ingestDemoRange(
  kvs: LocalKvs,
  streamName: string,
  { startMs, seconds }: { startMs: number; seconds: number },
): Promise<number> {
  await createStreams(kvs.endpoint, [streamName]);
  const clip = await loadDemoClip();
  const ticksPerMs = 1e6 / clip.timecodeScaleNs;
  const perLoop = clip.clusters.length;
  async function* body(): AsyncGenerator<Uint8Array> {
    yield clip.header;
    for (let i = 0; ; i++) {
      const cluster = clip.clusters[i % perLoop];
      if (cluster === undefined) return;
      const captureMs = startMs + Math.floor(i / perLoop) * clip.loopMs + cluster.offsetMs;
      if (captureMs >= startMs + seconds * 1000) return;
      yield withClusterTimecode(cluster.bytes, Math.round(captureMs * ticksPerMs));
    }
  }
  const session = putMedia({
    endpoint: await dataEndpoint(kvs.endpoint, streamName, "PUT_MEDIA"),
    streamName,
    body: body(),
    timecodeType: "ABSOLUTE",
    producerStartTimestampMs: startMs,
  });
  let fragments = 0;
  for await (const ack of session.acks) {
    if (ack.EventType === "ERROR") throw new Error(`PutMedia ERROR ${JSON.stringify(ack)}`);
    if (ack.EventType === "PERSISTED") fragments++;
  }
  await session.done;
  return fragments;
}
