// The per-operation GraphQL context: shared services plus loaders that live for one request (or
// one WebSocket operation), so repeated lookups within it cost one upstream call.

import type { EndpointLoader } from "../kvs/endpoints.ts";
import { createStreamLoader, type StreamLoader } from "../kvs/streams.ts";
import { DEFAULT_UPSTREAM_CALLS_PER_OPERATION, UpstreamBudget } from "./budget.ts";
import type { GatewayServices } from "./services.ts";

export interface GatewayContext {
  readonly services: GatewayServices;
  /** DescribeStream by name or ARN (a stream loaded by one is primed under the other). */
  readonly streams: StreamLoader;
  /** GetDataEndpoint per (stream, APIName) over the shared cache, with evict-and-retry-once. */
  readonly endpoints: EndpointLoader;
  /** The base URL the client reached the gateway at (e.g. "http://127.0.0.1:4000"). */
  readonly origin: string | undefined;
  /** Aborted when the client goes away (HTTP request aborted); never for WebSocket operations. */
  readonly signal: AbortSignal | undefined;
  /** Call `budget.spend()` before each KVS call a resolver makes (GetDataEndpoint excepted: cached). */
  readonly budget: UpstreamBudget;
}

export interface ContextSource {
  /** The Fetch API request of an HTTP operation. */
  request?: Request | undefined;
  /** The HTTP upgrade request of a WebSocket operation. */
  upgradeRequest?: { headers: Record<string, string | string[] | undefined> } | undefined;
}

function originOf(services: GatewayServices, source: ContextSource): string | undefined {
  if (services.options.publicUrl) return services.options.publicUrl;
  if (source.request) return new URL(source.request.url).origin;
  const host = source.upgradeRequest?.headers.host;
  return typeof host === "string" ? `http://${host}` : undefined;
}

export function createContext(services: GatewayServices, source: ContextSource): GatewayContext {
  const budget = new UpstreamBudget(
    services.options.maxUpstreamCallsPerOperation ?? DEFAULT_UPSTREAM_CALLS_PER_OPERATION,
  );
  return {
    services,
    budget,
    streams: createStreamLoader(services.clients, () => budget.spend()),
    endpoints: services.endpoints.loader(),
    origin: originOf(services, source),
    signal: source.request?.signal,
  };
}
