// The demo camera: loops the bundled sample into a stream through PutMedia, exactly as an
// external producer would (GetDataEndpoint for PUT_MEDIA, then one long PutMedia request), one
// Cluster about every second. Each Cluster gets an ABSOLUTE timecode equal to the wall-clock time
// its first frame would have been captured, and is sent once its last frame would have been, so
// producer timestamps track the clock and GetMedia NOW, ListFragments and GetClip see live data.
import { GetDataEndpointCommand, KinesisVideoClient } from "@aws-sdk/client-kinesis-video";
import { putMedia } from "../producer/put-media-client.ts";
import { withClusterTimecode } from "./cluster-timecode.ts";
import { type DemoClip, loadDemoClip } from "./demo-sample.ts";

export interface DemoCameraOptions {
  /** The kvs-local base URL (the control-plane endpoint). */
  endpoint: string;
  streamName: string;
  log: (line: string) => void;
  /** Another Matroska sample to loop (H.264 + optional AAC, one Cluster per GOP). */
  samplePath?: string;
  region?: string;
}

export interface DemoCamera {
  stop(): Promise<void>;
}

/** Behind schedule by more than this (a suspended laptop), the camera skips ahead to now. */
const MAX_LAG_MS = 5_000;
const RECONNECT_DELAY_MS = 1_000;
/** How long stop() waits for the server to answer the ended body before hanging up. */
const STOP_GRACE_MS = 2_000;

/** Sleeps that stop() can cut short, so no timer outlives the camera. */
class Waker {
  readonly #sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        resolve,
        timer: setTimeout(
          () => {
            this.#sleepers.delete(sleeper);
            resolve();
          },
          Math.max(0, ms),
        ),
      };
      this.#sleepers.add(sleeper);
    });
  }

  wakeAll(): void {
    for (const { timer, resolve } of this.#sleepers) {
      clearTimeout(timer);
      resolve();
    }
    this.#sleepers.clear();
  }
}

async function putMediaEndpoint(options: DemoCameraOptions): Promise<string> {
  const client = new KinesisVideoClient({
    endpoint: options.endpoint,
    region: options.region ?? "us-east-1",
    credentials: { accessKeyId: "kvs-local-demo", secretAccessKey: "kvs-local-demo" },
  });
  try {
    const out = await client.send(
      new GetDataEndpointCommand({ StreamName: options.streamName, APIName: "PUT_MEDIA" }),
    );
    if (!out.DataEndpoint) throw new Error("GetDataEndpoint returned no DataEndpoint");
    return out.DataEndpoint;
  } finally {
    client.destroy();
  }
}

export async function startDemoCamera(options: DemoCameraOptions): Promise<DemoCamera> {
  const clip = await loadDemoClip(options.samplePath);
  const waker = new Waker();
  const abort = new AbortController();
  let stopping = false;
  const first = clip.clusters[0];
  // Capture time of the loop's start: the first Cluster is due at once.
  let base = Date.now() - (first?.durationMs ?? 0);
  let loop = 0;
  let index = 0;

  const ticksPerMs = 1e6 / clip.timecodeScaleNs;

  /** The PutMedia body: the header, then each Cluster when its time has come. */
  async function* body(demo: DemoClip): AsyncGenerator<Uint8Array> {
    yield demo.header;
    while (!stopping) {
      const cluster = demo.clusters[index];
      if (!cluster) {
        index = 0;
        loop++;
        continue;
      }
      const captureMs = base + loop * demo.loopMs + cluster.offsetMs;
      const dueMs = captureMs + cluster.durationMs;
      const lag = Date.now() - dueMs;
      if (lag > MAX_LAG_MS) {
        base += lag;
        continue;
      }
      if (lag < 0) await waker.sleep(-lag);
      if (stopping) return;
      yield withClusterTimecode(cluster.bytes, Math.round(captureMs * ticksPerMs));
      index++;
    }
  }

  async function session(endpoint: string): Promise<void> {
    const put = putMedia({
      endpoint,
      streamName: options.streamName,
      body: body(clip),
      timecodeType: "ABSOLUTE",
      producerStartTimestampMs: base,
      signal: abort.signal,
    });
    for await (const ack of put.acks) {
      if (ack.EventType === "ERROR") {
        options.log(`demo camera: PutMedia error ${ack.ErrorId ?? "?"} on ${options.streamName}`);
      }
    }
    await put.done;
  }

  const running = (async () => {
    let announced = false;
    while (!stopping) {
      try {
        const endpoint = await putMediaEndpoint(options);
        if (!announced) {
          options.log(`demo camera: streaming ${clip.loopMs} ms loop into '${options.streamName}'`);
          announced = true;
        }
        await session(endpoint);
      } catch (error) {
        if (stopping) break;
        options.log(`demo camera: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (!stopping) await waker.sleep(RECONNECT_DELAY_MS);
    }
  })();

  return {
    async stop() {
      if (stopping) return running;
      stopping = true;
      waker.wakeAll();
      // The ended body lets the server close the exchange; hang up if it does not in time.
      const grace = setTimeout(() => abort.abort(), STOP_GRACE_MS);
      try {
        await running;
      } finally {
        clearTimeout(grace);
      }
    },
  };
}
