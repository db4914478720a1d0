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
import { Authenticator } from "./security/authenticator.ts";
import type { DocumentLimitName } from "./security/document-limits.ts";
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
}

export interface GatewayServices {
  readonly options: GatewayOptions;
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
  /** Told of every document refused by a limit (for metrics). */
  onDocumentRefused(limit: DocumentLimitName): void;
  /** Registers cleanup for `close()` (upstream sessions, caches, timers); last registered runs first. */
  onClose(cleanup: () => void | Promise<void>): void;
  /** Runs the registered cleanups, then closes the SDK clients. */
  close(): Promise<void>;
}

export function createGatewayServices(options: GatewayOptions): GatewayServices {
  const clients = new KvsClients(options.kvs);
  const endpoints = new EndpointCache(clients, options.endpointCache);
  const clips = createClipServices({
    clients,
    endpoints,
    signingKeys: options.clipSigningKeys,
    options: options.clips,
  });
  const getMedia = new GetMediaFanout({
    ...options.getMedia,
    ...getMediaClientsVia(clients, endpoints),
  });
  const cleanups: Array<() => void | Promise<void>> = [() => clips.close(), () => getMedia.close()];
  let closed: Promise<void> | undefined;

  const security = options.security ?? EMBEDDED_SECURITY_DEFAULTS;
  return {
    options,
    security,
    authenticator: new Authenticator(security.auth),
    onDocumentRefused() {},
    clients,
    endpoints,
    clips,
    getMedia,
    streamArns: new StreamArnCache(),
    listFragmentsPacer: new Pacer(LIST_FRAGMENTS_RATE_LIMIT),
    onClose(cleanup) {
      cleanups.push(cleanup);
    },
    close() {
      closed ??= (async () => {
        for (const cleanup of cleanups.reverse()) {
          try {
            await cleanup();
          } catch (error) {
            console.error("gateway cleanup failed:", error);
          }
        }
        endpoints.clear();
        clients.destroy();
      })();
      return closed;
    },
  };
}
