// Everything a gateway process shares across requests: SDK clients, the endpoint cache, settings,
// and the cleanup to run on shutdown. Built once per process; requests see it through the context.

import type { ClipSigningKey } from "../config.ts";
import { type ClipOptions, type ClipServices, createClipServices } from "../kvs/clips/services.ts";
import { ClusterCoordination } from "../kvs/cluster/coordination.ts";
import { OPEN_GATE } from "../kvs/cluster/fleet-pacer.ts";
import { type KvsClientOptions, KvsClients } from "../kvs/core/clients.ts";
import { EndpointCache, type EndpointCacheOptions } from "../kvs/core/endpoints.ts";
import { GET_MEDIA_RATE_LIMIT, LIST_FRAGMENTS_RATE_LIMIT, Pacer } from "../kvs/core/pacer.ts";
import { DEFAULT_SETTLE_POLICY } from "../kvs/core/settled.ts";
import { StreamArnCache } from "../kvs/core/stream-arns.ts";
import {
  DEFAULT_STREAM_CACHE,
  StreamCache,
  type StreamCacheOptions,
} from "../kvs/core/stream-cache.ts";
import { GetMediaFanout, type GetMediaOptions } from "../kvs/getmedia/fanout.ts";
import { getMediaClientsVia } from "../kvs/getmedia/upstream.ts";
import {
  createImageServices,
  type ImageOptions,
  type ImageServices,
} from "../kvs/images/services.ts";
import {
  DEFAULT_FRAGMENT_WINDOWS,
  FragmentWindows,
  type FragmentWindowsOptions,
} from "../kvs/timeline/fragment-windows.ts";
import { gatewayKvsObserver } from "./observability/kvs-observer.ts";
import { fallbackLogger, type Logger } from "./observability/logger.ts";
import {
  countClusterFallback,
  countRejectedDocument,
  observeCluster,
  reportCacheSize,
} from "./observability/metrics.ts";
import { Authenticator } from "./security/authenticator.ts";
import type { DocumentLimitName } from "./security/document-limits.ts";
import { HostAllowlist } from "./security/host-allowlist.ts";
import { TrustedProxies } from "./security/link-origin.ts";
import {
  createPrincipalLimits,
  DEFAULT_PRINCIPAL_LIMITS,
  type LimiterStore,
  type PrincipalLimits,
  redisLimiterStore,
} from "./security/principal-limits.ts";
import { EMBEDDED_SECURITY_DEFAULTS, type GatewaySecurity } from "./security/settings.ts";

export interface GatewayOptions {
  kvs: KvsClientOptions;
  endpointCache: EndpointCacheOptions;
  /** Allowed browser origins; "*" for any; empty for same-origin only. */
  corsOrigins: "*" | string[];
  /** Newest first. */
  clipSigningKeys: ClipSigningKey[];
  graphiql: boolean;
  /** The gateway's public base URL for links it hands out; the request's origin when undefined. */
  publicUrl?: string | undefined;
  /** KVS calls one GraphQL operation may make (default 500); see budget.ts. */
  maxUpstreamCallsPerOperation?: number | undefined;
  /** Clip downloads: GetClip pacing, cache, part sizes, URL lifetimes (defaults when undefined). */
  clips?: ClipOptions | undefined;
  /** DescribeStream / ListStreams answers shared across requests (DEFAULT_STREAM_CACHE when undefined). */
  streamCache?: StreamCacheOptions | undefined;
  /** Settled ListFragments windows shared across requests (DEFAULT_FRAGMENT_WINDOWS when undefined). */
  fragmentWindows?: FragmentWindowsOptions | undefined;
  /** Stream.images: GetImages cache, start offset, link lifetimes (defaults when undefined). */
  images?: ImageOptions | undefined;
  /** Live GetMedia subscriptions: subscriber buffer, reconnect backoff (defaults when undefined). */
  getMedia?: GetMediaOptions | undefined;
  /**
   * Subscribers whose operations select the same fields get each live fragment executed and
   * serialised once (shared-subscription-events.ts). Default true; false executes per subscriber.
   */
  sharedSubscriptionEvents?: boolean | undefined;
  /**
   * Authentication, document limits, hosts. Undefined: EMBEDDED_SECURITY_DEFAULTS (auth off), for
   * tests and embeddings; `npm start` always passes the environment's settings.
   */
  security?: GatewaySecurity | undefined;
  /**
   * Where per-principal rate windows are counted (principal-limits.ts): process memory when
   * undefined; a RateLimiterRedis factory makes them fleet-wide.
   */
  limiterStore?: LimiterStore | undefined;
  /** Structured logs; warnings and errors on stderr when undefined (see logger.ts). */
  logger?: Logger | undefined;
  /** Who may read /metrics on the gateway's own port; see metrics-route.ts (off when undefined). */
  metrics?: MetricsExposure | undefined;
  /** /readyz's upstream probe (defaults when undefined); see health.ts. */
  readiness?: ReadinessOptions | undefined;
  /** Cluster mode through Redis (REDIS_URL); one process on its own when undefined. */
  cluster?: GatewayClusterOptions | undefined;
}

export interface GatewayClusterOptions {
  url: string;
  keyPrefix?: string | undefined;
  leaseTtlMs?: number | undefined;
}

export interface MetricsExposure {
  /** Serve /metrics on the gateway's port (else only on a separate metrics listener, if any). */
  onGatewayPort: boolean;
  /** When set, /metrics requires `Authorization: Bearer <token>`. */
  bearerToken?: string | undefined;
}

export interface ReadinessOptions {
  /** How long a probe's answer is reused (default 5 s): bounds the KVS calls /readyz makes. */
  cacheMs?: number;
  /** A probe slower than this fails (default 2 s). */
  timeoutMs?: number;
}

export interface GatewayServices {
  readonly options: GatewayOptions;
  readonly log: Logger;
  readonly clients: KvsClients;
  readonly endpoints: EndpointCache;
  /** Clip URL signing, the GetClip governor, the clip cache and shared downloads. */
  readonly clips: ClipServices;
  /** Image links (signed with the clip signer's keys) and the shared GetImages windows. */
  readonly images: ImageServices;
  /** Live GetMedia sessions shared by subscribers (one per stream for start NOW). */
  readonly getMedia: GetMediaFanout;
  /** Stream descriptions and ListStreams pages shared across requests, for a short TTL. */
  readonly streamCache: StreamCache;
  /** ListFragments answers for settled windows, read by fragments, recordings, coverage and clip parts. */
  readonly fragmentWindows: FragmentWindows;
  /** Stream name → ARN, briefly cached: live subscriptions key their sessions on the ARN. */
  readonly streamArns: StreamArnCache;
  /** Paces the ListFragments pages of long listings (clip parts) per stream ARN, process-wide. */
  readonly listFragmentsPacer: Pacer;
  readonly security: GatewaySecurity;
  /** Peers whose forwarding headers count for link origins (security.trustedProxies). */
  readonly trustedProxies: TrustedProxies;
  /** The Host names the gateway answers (DNS-rebinding defence), for Host and forwarded hosts. */
  readonly hosts: HostAllowlist;
  readonly authenticator: Authenticator;
  /**
   * Cluster mode's Redis coordination, undefined in single-process mode. Its `redis` link is the
   * one to hand to other fleet-wide limiters (see README, "Running several instances").
   */
  readonly cluster: ClusterCoordination | undefined;
  /** Per-principal operation and KVS-call rates, download caps (security/principal-limits.ts). */
  readonly limits: PrincipalLimits;
  /** Told of every document refused by a limit (for metrics). */
  onDocumentRefused(limit: DocumentLimitName): void;
  /** Registers cleanup for `close()` (upstream sessions, caches, timers); last registered runs first. */
  onClose(cleanup: () => void | Promise<void>): void;
  /** Runs the registered cleanups, then closes the SDK clients. */
  close(): Promise<void>;
}

/** Slack added to the fleet-wide GetClip spacing (see fleetGetClipGate below). */
const FLEET_GET_CLIP_MARGIN_MS = 250;

export function createGatewayServices(options: GatewayOptions): GatewayServices {
  const log = options.logger ?? fallbackLogger();
  const observer = gatewayKvsObserver(log);
  const clients = new KvsClients({ ...options.kvs, observer });
  const endpoints = new EndpointCache(clients, options.endpointCache);
  const listFragmentsPacer = new Pacer(LIST_FRAGMENTS_RATE_LIMIT);
  const cluster =
    options.cluster === undefined
      ? undefined
      : new ClusterCoordination({
          url: options.cluster.url,
          ...(options.cluster.keyPrefix === undefined
            ? {}
            : { keyPrefix: options.cluster.keyPrefix }),
          ...(options.cluster.leaseTtlMs === undefined
            ? {}
            : { leaseTtlMs: options.cluster.leaseTtlMs }),
          warn: (message, error) => log.warn({ err: error, component: "cluster" }, message),
          onFallback: countClusterFallback,
        });
  observeCluster(cluster);
  const getClipRate = options.clips?.getClipRatePerSecond ?? 1;
  const clips = createClipServices({
    clients,
    endpoints,
    signingKeys: options.clipSigningKeys,
    listFragmentsPace: (streamArn, signal) => listFragmentsPacer.acquire(streamArn, signal),
    // The governor's spacing booked fleet-wide, with more slack than its own 50 ms: calls booked
    // on different instances reach KVS by different paths (an endpoint lookup first, a busier
    // event loop), so two booked a second apart can arrive closer than that.
    fleetGetClipGate: cluster?.pacer(
      "getclip",
      { calls: 1, windowMs: 1000 / getClipRate + FLEET_GET_CLIP_MARGIN_MS },
      OPEN_GATE,
    ),
    options: options.clips,
  });
  const images = createImageServices({
    clients,
    endpoints,
    signer: clips.signer.links,
    options: options.images,
  });
  const localGetMediaPacer = new Pacer(GET_MEDIA_RATE_LIMIT);
  const security = options.security ?? EMBEDDED_SECURITY_DEFAULTS;
  const limits = createPrincipalLimits(
    security.principalLimits ?? DEFAULT_PRINCIPAL_LIMITS,
    options.limiterStore ??
      (cluster === undefined
        ? undefined
        : redisLimiterStore(cluster.redis.client, cluster.keys.prefix)),
  );
  const getMedia = new GetMediaFanout({
    maxPrivateSessionsPerOwner: limits.settings.maxPrivateSessionsPerStream,
    ...options.getMedia,
    ...getMediaClientsVia(clients, endpoints),
    observer,
    rateLimiter:
      cluster?.pacer("getmedia", GET_MEDIA_RATE_LIMIT, localGetMediaPacer) ?? localGetMediaPacer,
    ...(cluster === undefined
      ? {}
      : { sharedSessions: cluster.sharedSessions, privateSlots: cluster.privateSlots }),
  });
  const streamCache = new StreamCache(clients, options.streamCache ?? DEFAULT_STREAM_CACHE);
  // Settled by the same rule as the clip cache (CLIP_SETTLE_*).
  const fragmentWindows = new FragmentWindows(
    observer,
    options.fragmentWindows ?? DEFAULT_FRAGMENT_WINDOWS,
    { ...DEFAULT_SETTLE_POLICY, ...options.clips?.immutability },
  );
  const cacheSizes = [
    reportCacheSize("endpoint", () => ({ entries: endpoints.size })),
    reportCacheSize("stream", () => ({ entries: streamCache.size })),
    reportCacheSize("fragments", () => ({
      entries: fragmentWindows.size,
      bytes: fragmentWindows.sizeBytes,
    })),
    reportCacheSize("image", () => ({
      entries: images.windows.size,
      bytes: images.windows.sizeBytes,
    })),
    reportCacheSize("clip", () => ({
      entries: clips.cache.size,
      bytes: clips.cache.memoryBytes + clips.cache.fileBytes,
    })),
  ];
  const cleanups: Array<() => void | Promise<void>> = [
    () => cluster?.close(),
    () => clips.close(),
    () => images.close(),
    () => getMedia.close(),
    () => {
      for (const unregister of cacheSizes) unregister();
    },
  ];
  let closed: Promise<void> | undefined;

  return {
    options,
    security,
    trustedProxies: new TrustedProxies(security.trustedProxies),
    hosts: new HostAllowlist(options.publicUrl, security.allowedHosts),
    authenticator: new Authenticator(security.auth),
    cluster,
    limits,
    onDocumentRefused: countRejectedDocument,
    log,
    clients,
    endpoints,
    clips,
    images,
    getMedia,
    streamArns: new StreamArnCache(),
    streamCache,
    fragmentWindows,
    listFragmentsPacer,
    onClose(cleanup) {
      cleanups.push(cleanup);
    },
    close() {
      closed ??= (async () => {
        for (const cleanup of cleanups.reverse()) {
          try {
            await cleanup();
          } catch (error) {
            log.error({ err: error }, "gateway cleanup failed");
          }
        }
        endpoints.clear();
        clients.destroy();
      })();
      return closed;
    },
  };
}
