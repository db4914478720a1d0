// kvs-local: a local Kinesis Video Streams backend that speaks the real wire protocol.

import { sweepStaleClipDirectories } from "./archived-media/clip/clip-temp-dirs.ts";
import { type Clock, systemClock } from "./clock.ts";
import { FaultInjector } from "./faults.ts";
import type { BudgetUsage } from "./ingest/memory-budget.ts";
import type { ListFragmentsOrder } from "./server/context.ts";
import { startKvsHttpServer } from "./server/http-server.ts";
import { OperationStats } from "./stats.ts";
import { openFragmentStore } from "./store/open-store.ts";
import type { FragmentStore } from "./store/types.ts";

export type { Fault } from "./faults.ts";
export { FaultInjector } from "./faults.ts";
export type { BudgetUsage } from "./ingest/memory-budget.ts";
export type { ListFragmentsOrder } from "./server/context.ts";
export { OperationStats } from "./stats.ts";
export type { FragmentRecord, FragmentStore, StreamRecord } from "./store/types.ts";

export interface LocalKvsOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** 0 = ephemeral (default). */
  port?: number;
  /** Durable storage directory; without it (or with `inMemory`) everything lives in memory. */
  dataDir?: string;
  inMemory?: boolean;
  /** Default us-east-1. */
  region?: string;
  /** Default 123456789012. */
  accountId?: string;
  /** GetClip calls per second per stream (default 1, as documented; 0 = unlimited). */
  getClipRatePerSecond?: number;
  /** GetImages calls per second per stream (default 0 = unlimited: AWS documents no figure). */
  getImagesRatePerSecond?: number;
  /** GetMedia calls per second per stream (default 5, as documented; 0 = unlimited). */
  getMediaRatePerSecond?: number;
  /** Concurrent GetMedia connections per stream (default 3, as documented; Infinity = unlimited). */
  getMediaConnectionLimit?: number;
  /**
   * Seconds after which a GetMedia response ends cleanly, after a complete fragment, so the
   * consumer must reconnect with its continuation token, as real KVS does after 40-45 minutes
   * (default 2700 = 45 min; 0 = never).
   */
  getMediaSessionMaxSeconds?: number;
  /**
   * Seconds between IDLE acks on a PutMedia connection that sends nothing (default 3; KVS does
   * not document its interval; 0 = none).
   */
  putMediaIdleAckSeconds?: number;
  /** A PutMedia connection that sends nothing this long is closed, as KVS does (default 30; 0 = never). */
  putMediaIdleTimeoutSeconds?: number;
  /**
   * Concurrent PutMedia connections per stream before ConnectionLimitExceededException (default 5;
   * KVS documents no number: one producer per stream is the norm, the rest leaves room for a
   * reconnect overlapping the old connection; Infinity = unlimited).
   */
  putMediaConnectionLimit?: number;
  /**
   * Bytes of media all PutMedia connections may hold at once (default 256 MiB, five 50 MB
   * fragments). A new connection while it is used up gets ConnectionLimitExceededException; a connection whose
   * Cluster no longer fits gets an ERROR ack with ErrorId 5000. Infinity = unbounded.
   */
  putMediaMemoryBudgetBytes?: number;
  /**
   * Bytes per second a PutMedia body must average over each window (default 256, far below any
   * audio or video; 0 = no floor); below it the connection gets an ERROR ack with ErrorId 4000.
   */
  putMediaMinBytesPerSecond?: number;
  /** The window of that floor (default 60 s: longer than the 30 s a producer may pause). */
  putMediaMinRateWindowSeconds?: number;
  /**
   * Seconds a client has to send its request headers (default 10; 0 = unlimited), so slow-header
   * clients are closed; streaming bodies and responses are not affected.
   */
  headersTimeoutSeconds?: number;
  /** Seconds a client has to send a JSON request body after its headers (default 10; 0 = unlimited). */
  requestBodyTimeoutSeconds?: number;
  /**
   * Open sockets at most (default 512; Infinity = no cap). At the cap a new connection evicts the
   * longest-waiting socket (still sending headers, or idle between requests); busy ones stay.
   */
  maxConnections?: number;
  /**
   * ListFragments order. KVS documents none, even across pages: "shuffled" answers in a random
   * order to catch clients that rely on one; "sorted" (default) keeps listings readable.
   */
  listFragmentsOrder?: ListFragmentsOrder;
  /** GetHLS/GetDASHStreamingSessionURL calls per second per stream (default 25, KVS's raised limit; 0 = unlimited). */
  playbackSessionRatePerSecond?: number;
  /** Playlist and manifest requests per second per playback session (default 5, as documented; 0 = unlimited). */
  playbackPlaylistRatePerSecond?: number;
  /** Init and media fragment requests per second per playback session (default 10, as documented; 0 = unlimited). */
  playbackFragmentRatePerSecond?: number;
  /** Reject requests that carry no Authorization header at all (default false, like local emulators). */
  requireAuthorization?: boolean;
  /** Create the stream `demo` and feed it from the demo camera. */
  demoStream?: boolean;
  /** Substitute the server's clock (server timestamps, retention, MILLIS_BEHIND_NOW). */
  clock?: Clock;
  log?: (line: string) => void;
}

export interface LocalKvs {
  /** http://127.0.0.1:PORT — pass it as the SDK's `endpoint` / the CLI's `--endpoint-url`. */
  endpoint: string;
  port: number;
  store: FragmentStore;
  stats: OperationStats;
  faults: FaultInjector;
  /** What all PutMedia connections hold of their memory budget (in use, peak, limit). */
  putMediaMemory: BudgetUsage;
  /** Stops the demo camera, closes open GetMedia/PutMedia connections, the server and the store. */
  stop(): Promise<void>;
}

export const DEMO_STREAM_NAME = "demo";

const RETENTION_SWEEP_MS = 60_000;

function nonNegative(name: string, value: number): number {
  if (!(value >= 0)) throw new RangeError(`${name} must be 0 or a positive number`);
  return value;
}

export async function createLocalKvs(options: LocalKvsOptions = {}): Promise<LocalKvs> {
  const log = options.log ?? (() => {});
  const clock = options.clock ?? systemClock;
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "123456789012";
  const getMediaSessionMaxSeconds = options.getMediaSessionMaxSeconds ?? 2700;
  if (!(getMediaSessionMaxSeconds >= 0)) {
    throw new RangeError("getMediaSessionMaxSeconds must be 0 (no limit) or a positive number");
  }
  const putMediaIdleAckSeconds = nonNegative(
    "putMediaIdleAckSeconds",
    options.putMediaIdleAckSeconds ?? 3,
  );
  const putMediaIdleTimeoutSeconds = nonNegative(
    "putMediaIdleTimeoutSeconds",
    options.putMediaIdleTimeoutSeconds ?? 30,
  );
  const positive = (name: string, value: number): number => {
    if (!(value > 0)) throw new RangeError(`${name} must be positive (Infinity = unlimited)`);
    return value;
  };
  const putMediaConnectionLimit = positive(
    "putMediaConnectionLimit",
    options.putMediaConnectionLimit ?? 5,
  );
  const putMediaMemoryBudgetBytes = positive(
    "putMediaMemoryBudgetBytes",
    options.putMediaMemoryBudgetBytes ?? 256 * 1024 * 1024,
  );
  const maxConnections = positive("maxConnections", options.maxConnections ?? 512);
  const putMediaMinBytesPerSecond = nonNegative(
    "putMediaMinBytesPerSecond",
    options.putMediaMinBytesPerSecond ?? 256,
  );
  const putMediaMinRateWindowSeconds = positive(
    "putMediaMinRateWindowSeconds",
    options.putMediaMinRateWindowSeconds ?? 60,
  );
  const headersTimeoutSeconds = nonNegative(
    "headersTimeoutSeconds",
    options.headersTimeoutSeconds ?? 10,
  );
  const requestBodyTimeoutSeconds = nonNegative(
    "requestBodyTimeoutSeconds",
    options.requestBodyTimeoutSeconds ?? 10,
  );
  // Left behind by a process that died while building a clip.
  await sweepStaleClipDirectories().catch((error: unknown) =>
    log(`clip temp sweep: ${String(error)}`),
  );
  const store = await openFragmentStore({
    dataDir: options.inMemory ? undefined : options.dataDir,
    region,
    accountId,
    now: () => clock.now(),
    log,
  });
  const stats = new OperationStats();
  const faults = new FaultInjector();
  let server: Awaited<ReturnType<typeof startKvsHttpServer>>;
  try {
    server = await startKvsHttpServer({
      host: options.host ?? "127.0.0.1",
      port: options.port ?? 0,
      store,
      stats,
      faults,
      clock,
      log,
      requireAuthorization: options.requireAuthorization ?? false,
      region,
      accountId,
      getClipRatePerSecond: options.getClipRatePerSecond ?? 1,
      getImagesRatePerSecond: options.getImagesRatePerSecond ?? 0,
      getMediaRatePerSecond: options.getMediaRatePerSecond ?? 5,
      getMediaConnectionLimit: options.getMediaConnectionLimit ?? 3,
      getMediaSessionMaxSeconds,
      putMediaIdleAckSeconds,
      putMediaIdleTimeoutSeconds,
      putMediaConnectionLimit,
      putMediaMemoryBytes: putMediaMemoryBudgetBytes,
      putMediaMinBytesPerSecond,
      putMediaMinRateWindowSeconds,
      headersTimeoutSeconds,
      requestBodyTimeoutSeconds,
      maxConnections,
      listFragmentsOrder: options.listFragmentsOrder ?? "sorted",
      playbackSessionRatePerSecond: options.playbackSessionRatePerSecond ?? 25,
      playbackPlaylistRatePerSecond: options.playbackPlaylistRatePerSecond ?? 5,
      playbackFragmentRatePerSecond: options.playbackFragmentRatePerSecond ?? 10,
    });
  } catch (error) {
    await store.close();
    throw error;
  }

  const sweep = setInterval(() => {
    store
      .enforceRetention(clock.now())
      .catch((error: unknown) => log(`retention: ${String(error)}`));
  }, RETENTION_SWEEP_MS);
  sweep.unref();

  let camera: { stop(): Promise<void> } | undefined;
  if (options.demoStream) {
    if (!store.getStreamByName(DEMO_STREAM_NAME)) {
      await store.createStream(
        {
          streamName: DEMO_STREAM_NAME,
          dataRetentionInHours: 1,
          mediaType: "video/h264,audio/aac",
        },
        clock.now(),
      );
    }
    try {
      // Loaded only when asked for: plain backends never touch the demo sample.
      const { startDemoCamera } = await import("./demo/camera.ts");
      camera = await startDemoCamera({
        endpoint: server.endpoint,
        streamName: DEMO_STREAM_NAME,
        log,
      });
    } catch (error) {
      clearInterval(sweep);
      await server.close();
      await store.close();
      throw error;
    }
  }

  let stopping: Promise<void> | undefined;
  return {
    endpoint: server.endpoint,
    port: server.port,
    store,
    stats,
    faults,
    putMediaMemory: server.putMediaBudget,
    stop() {
      stopping ??= (async () => {
        clearInterval(sweep);
        await camera?.stop();
        await server.close();
        await store.close();
      })();
      return stopping;
    },
  };
}
