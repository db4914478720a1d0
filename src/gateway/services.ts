// Everything a gateway process shares across requests: SDK clients, the endpoint cache, settings,
// and the cleanup to run on shutdown. Built once per process; requests see it through the context.

import type { ClipSigningKey } from "../config.ts";
import { type ClipOptions, type ClipServices, createClipServices } from "../kvs/clips/services.ts";
import { type KvsClientOptions, KvsClients } from "../kvs/core/clients.ts";
import { EndpointCache, type EndpointCacheOptions } from "../kvs/core/endpoints.ts";
import { LIST_FRAGMENTS_RATE_LIMIT, Pacer } from "../kvs/core/pacer.ts";
import { StreamArnCache } from "../kvs/core/stream-arns.ts";
import { GetMediaFanout, type GetMediaOptions } from "../kvs/getmedia/fanout.ts";
import { getMediaClientsVia } from "../kvs/getmedia/upstream.ts";
import { gatewayKvsObserver } from "./observability/kvs-observer.ts";
import { fallbackLogger, type Logger } from "./observability/logger.ts";
import { countRejectedDocument } from "./observability/metrics.ts";
import { Authenticator } from "./security/authenticator.ts";
import type { DocumentLimitName } from "./security/document-limits.ts";
import {
  createPrincipalLimits,
  DEFAULT_PRINCIPAL_LIMITS,
  type LimiterStore,
  type PrincipalLimits,
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
  /** Live GetMedia subscriptions: subscriber buffer, reconnect backoff (defaults when undefined). */
  getMedia?: GetMediaOptions | undefined;
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
  /** Live GetMedia sessions shared by subscribers (one per stream for start NOW). */
  readonly getMedia: GetMediaFanout;
  /** Stream name → ARN, briefly cached: live subscriptions key their sessions on the ARN. */
  readonly streamArns: StreamArnCache;
  /** Paces the ListFragments pages of long listings (clip parts) per stream ARN, process-wide. */
  readonly listFragmentsPacer: Pacer;
  readonly security: GatewaySecurity;
  readonly authenticator: Authenticator;
  /** Per-principal operation and KVS-call rates, download caps (security/principal-limits.ts). */
  readonly limits: PrincipalLimits;
  /** Told of every document refused by a limit (for metrics). */
  onDocumentRefused(limit: DocumentLimitName): void;
  /** Registers cleanup for `close()` (upstream sessions, caches, timers); last registered runs first. */
  onClose(cleanup: () => void | Promise<void>): void;
  /** Runs the registered cleanups, then closes the SDK clients. */
  close(): Promise<void>;
}

export function createGatewayServices(options: GatewayOptions): GatewayServices {
  const log = options.logger ?? fallbackLogger();
  const observer = gatewayKvsObserver(log);
  const clients = new KvsClients({ ...options.kvs, observer });
  const endpoints = new EndpointCache(clients, options.endpointCache);
  const listFragmentsPacer = new Pacer(LIST_FRAGMENTS_RATE_LIMIT);
  const clips = createClipServices({
    clients,
    endpoints,
    signingKeys: options.clipSigningKeys,
    listFragmentsPace: (streamArn, signal) => listFragmentsPacer.acquire(streamArn, signal),
    options: options.clips,
  });
  const security = options.security ?? EMBEDDED_SECURITY_DEFAULTS;
  const limits = createPrincipalLimits(
    security.principalLimits ?? DEFAULT_PRINCIPAL_LIMITS,
    options.limiterStore,
  );
  const getMedia = new GetMediaFanout({
    maxPrivateSessionsPerOwner: limits.settings.maxPrivateSessionsPerStream,
    ...options.getMedia,
    ...getMediaClientsVia(clients, endpoints),
    observer,
  });
  const cleanups: Array<() => void | Promise<void>> = [() => clips.close(), () => getMedia.close()];
  let closed: Promise<void> | undefined;

  return {
    options,
    security,
    authenticator: new Authenticator(security.auth),
    limits,
    onDocumentRefused: countRejectedDocument,
    log,
    clients,
    endpoints,
    clips,
    getMedia,
    streamArns: new StreamArnCache(),
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
