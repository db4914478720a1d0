// The per-operation GraphQL context: shared services plus loaders that live for one request (or
// one WebSocket operation), so repeated lookups within it cost one upstream call.

import type { EndpointLoader } from "../kvs/core/endpoints.ts";
import { createStreamLoader, type StreamLoader } from "../kvs/core/streams.ts";
import { DEFAULT_UPSTREAM_CALLS_PER_OPERATION, UpstreamBudget } from "./budget.ts";
import type { Logger } from "./observability/logger.ts";
import { requestIdFrom } from "./observability/operation-scope.ts";
import type { Principal } from "./security/authenticator.ts";
import { type LinkRequest, linkOrigin } from "./security/link-origin.ts";
import type { UpstreamCallAllowance } from "./security/principal-limits.ts";
import type { GatewayServices } from "./services.ts";

export interface GatewayContext {
  readonly services: GatewayServices;
  /** DescribeStream by name or ARN (a stream loaded by one is primed under the other). */
  readonly streams: StreamLoader;
  /** GetDataEndpoint per (stream, APIName) over the shared cache, with evict-and-retry-once. */
  readonly endpoints: EndpointLoader;
  /**
   * The base URL for links (e.g. "http://127.0.0.1:4000"): PUBLIC_URL, else the request's Host if
   * plausible (forwarding headers from a trusted proxy: security/link-origin.ts); undefined without
   * either (links are then relative).
   */
  readonly origin: string | undefined;
  /** Aborted when the client goes away (HTTP request aborted); never for WebSocket operations. */
  readonly signal: AbortSignal | undefined;
  /** Call `budget.spend()` before each KVS call a resolver makes (GetDataEndpoint excepted: cached). */
  readonly budget: UpstreamBudget;
  /** Who is asking, and which streams they may see. */
  readonly principal: Principal;
  /** What the principal's shares are counted under (limitKey in security/principal-limits.ts). */
  readonly limitKey: string;
  /** The operation's id in logs (X-Request-Id for HTTP; one per graphql-ws operation). */
  readonly requestId: string;
  /** The gateway's logger, bound to `requestId`. */
  readonly log: Logger;
}

export interface ContextSource {
  /** The Fetch API request of an HTTP operation. */
  request?: Request | undefined;
  /** The HTTP upgrade request of a WebSocket operation. */
  upgradeRequest?: { headers: Record<string, string | string[] | undefined> } | undefined;
  /** The node:http request (or upgrade request) and its socket: where link origins come from. */
  connection?: LinkRequest | undefined;
  /** Authenticated before the context is built (HTTP: per request; WebSocket: at connection_init). */
  principal: Principal;
  /** The id app.ts gave the request or graphql-ws operation; a fresh one when undefined. */
  requestId?: string | undefined;
  /** The principal's limit key. */
  limitKey: string;
  /** The principal's KVS calls over time; only the per-operation budget applies when undefined. */
  upstreamCalls?: UpstreamCallAllowance | undefined;
}

export function createContext(services: GatewayServices, source: ContextSource): GatewayContext {
  const budget = new UpstreamBudget(
    services.options.maxUpstreamCallsPerOperation ?? DEFAULT_UPSTREAM_CALLS_PER_OPERATION,
    source.upstreamCalls,
  );
  const requestId = source.requestId ?? requestIdFrom(undefined);
  return {
    services,
    budget,
    requestId,
    log: services.log.child({ reqId: requestId }),
    streams: createStreamLoader(async (ref) =>
      services.streamCache.describe(ref, () => budget.spend()),
    ),
    endpoints: services.endpoints.loader(),
    origin: linkOrigin(
      services.options.publicUrl,
      source.connection,
      services.trustedProxies,
      services.hosts,
    ),
    signal: source.request?.signal,
    principal: source.principal,
    limitKey: source.limitKey,
  };
}
