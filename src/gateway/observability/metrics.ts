// The gateway's Prometheus metrics: one registry per process (what one scrape target is), filled
// by the GraphQL plugin (operations.ts), the KVS observer (kvs-observer.ts), the clip download
// route and any code that refuses work: see countRejectedDocument and countRateLimited below.
// Served at /metrics by metrics-route.ts.

import { Transform } from "node:stream";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export const metricsRegistry = new Registry();
// Process metrics (RSS, heap, event-loop lag, GC, open handles) under their usual names.
collectDefaultMetrics({ register: metricsRegistry });

const registers = [metricsRegistry];

export const graphqlOperations = new Counter({
  name: "kvs_gateway_graphql_operations_total",
  help: "GraphQL operations that reached parsing, over HTTP, SSE and WebSocket, by operation type and outcome (ok: no errors; error: any error in the result, including a refused document).",
  labelNames: ["type", "outcome"] as const,
  registers,
});

export const graphqlOperationDuration = new Histogram({
  name: "kvs_gateway_graphql_operation_duration_seconds",
  help: "Execution time of queries and mutations (subscriptions excluded: they last as long as the client stays).",
  labelNames: ["type"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers,
});

export const graphqlErrors = new Counter({
  name: "kvs_gateway_graphql_errors_total",
  help: 'Errors by code. kind="graphql": entries of a result\'s `errors` (extensions.code, e.g. GRAPHQL_VALIDATION_FAILED; INTERNAL_SERVER_ERROR for a masked failure). kind="typed": typed errors returned as data in result unions (the KVS exception name, e.g. ResourceNotFoundException, or the gateway\'s own, e.g. SlowSubscriberError).',
  labelNames: ["kind", "code"] as const,
  registers,
});

export const openSubscriptions = new Gauge({
  name: "kvs_gateway_subscriptions_open",
  help: "GraphQL subscriptions running now (WebSocket and SSE).",
  registers,
});

export const kvsCalls = new Counter({
  name: "kvs_gateway_kvs_calls_total",
  help: 'Upstream KVS API calls by service, operation and outcome ("ok" or the AWS exception / socket error name); one per call, the SDK\'s retries included.',
  labelNames: ["service", "operation", "outcome"] as const,
  registers,
});

export const kvsCallDuration = new Histogram({
  name: "kvs_gateway_kvs_call_duration_seconds",
  help: "Time until KVS answered (headers, for streaming answers such as GetMedia and GetClip), by operation.",
  labelNames: ["operation"] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});

export const cacheLookups = new Counter({
  name: "kvs_gateway_cache_lookups_total",
  help: 'Cache lookups by cache ("endpoint": GetDataEndpoint answers; "stream": DescribeStream and ListStreams answers; "fragments": settled ListFragments windows; "image": GetImages pages; "clip": clip downloads; "getmedia_replay": resumes served from a shared GetMedia session\'s replay buffer) and outcome ("hit"; "shared": joined a call already running; "miss": made its own upstream call).',
  labelNames: ["cache", "outcome"] as const,
  registers,
});

export const getMediaSessions = new Gauge({
  name: "kvs_gateway_getmedia_sessions",
  help: 'Upstream GetMedia sessions open now: "shared" (a stream\'s NOW session, any number of subscribers) or "private" (other start selectors).',
  labelNames: ["kind"] as const,
  registers,
});

export const clipBytesServed = new Counter({
  name: "kvs_gateway_clip_bytes_served_total",
  help: "Bytes of clip MP4 written to download responses, by where they came from (cache, shared, upstream).",
  labelNames: ["source"] as const,
  registers,
});

const rejectedDocuments = new Counter({
  name: "kvs_gateway_rejected_documents_total",
  help: "GraphQL documents refused by a document limit, by limit (e.g. bytes, tokens, aliases, depth, complexity, ws_message).",
  labelNames: ["limit"] as const,
  registers,
});

const rateLimited = new Counter({
  name: "kvs_gateway_rate_limited_total",
  help: "Requests refused by a rate limit or a concurrency cap, by scope (operations, kvs_calls, downloads, getmedia_sessions: a principal's share of a stream's private GetMedia sessions; getmedia_stream_sessions: the stream's cap).",
  labelNames: ["scope"] as const,
  registers,
});

/** What a cache holds now; summed over the gateways of the process (tests run several). */
export interface CacheSize {
  entries: number;
  bytes?: number;
}

const cacheSizes = new Map<string, Set<() => CacheSize>>();

/** Sets `gauge` per cache to the sum of `pick` over its sources (caches without any are left out). */
function collectCacheSizes(gauge: Gauge<"cache">, pick: (size: CacheSize) => number | undefined) {
  gauge.reset();
  for (const [cache, sources] of cacheSizes) {
    let total: number | undefined;
    for (const size of sources) {
      const value = pick(size());
      if (value !== undefined) total = (total ?? 0) + value;
    }
    if (total !== undefined) gauge.set({ cache }, total);
  }
}

new Gauge({
  name: "kvs_gateway_cache_entries",
  help: "Entries held now by each cross-request cache (endpoint, stream, fragments, image, clip).",
  labelNames: ["cache"] as const,
  registers,
  collect() {
    collectCacheSizes(this, (size) => size.entries);
  },
});

new Gauge({
  name: "kvs_gateway_cache_bytes",
  help: "Estimated bytes held now by the caches bounded in bytes (fragments, image, clip).",
  labelNames: ["cache"] as const,
  registers,
  collect() {
    collectCacheSizes(this, (size) => size.bytes);
  },
});

/** Reports a cache's size at every scrape until the returned function is called. */
export function reportCacheSize(cache: string, size: () => CacheSize): () => void {
  let sources = cacheSizes.get(cache);
  if (!sources) {
    sources = new Set();
    cacheSizes.set(cache, sources);
  }
  sources.add(size);
  return () => {
    sources.delete(size);
  };
}

const clusterFallbacks = new Counter({
  name: "kvs_gateway_cluster_fallbacks_total",
  help: "Calls that used this instance's local limits because Redis could not be asked (cluster mode), by scope (getmedia, getclip, getmedia_private_sessions).",
  labelNames: ["scope"] as const,
  registers,
});

/** Call once for each call that fell back to local limits while Redis was unreachable. */
export function countClusterFallback(scope: string): void {
  clusterFallbacks.inc({ scope });
}

/** What the cluster gauges read at scrape time (set by the gateway's services in cluster mode). */
export interface ClusterGaugeSource {
  status(): {
    redis: string;
    leasesHeld: number;
    streams: Array<{ mode: string }>;
    redisCommands: number;
  };
}

let clusterSource: ClusterGaugeSource | undefined;

/** Points the cluster gauges at this process's coordination (undefined: single-process mode). */
export function observeCluster(source: ClusterGaugeSource | undefined): void {
  clusterSource = source;
}

new Gauge({
  name: "kvs_gateway_cluster_redis_up",
  help: "Cluster mode: 1 while Redis answers, 0 while this instance runs on local limits; absent in single-process mode.",
  registers,
  collect() {
    this.reset();
    if (clusterSource) this.set(clusterSource.status().redis === "ready" ? 1 : 0);
  },
});

new Gauge({
  name: "kvs_gateway_cluster_leases_held",
  help: "Cluster mode: streams whose shared GetMedia session this instance holds the lease of.",
  registers,
  collect() {
    this.reset();
    if (clusterSource) this.set(clusterSource.status().leasesHeld);
  },
});

new Gauge({
  name: "kvs_gateway_cluster_streams_followed",
  help: 'Cluster mode: streams this instance has NOW subscribers to, by mode ("fleet": from Redis; "local": its own GetMedia while Redis is unreachable).',
  labelNames: ["mode"] as const,
  registers,
  collect() {
    this.reset();
    if (!clusterSource) return;
    const streams = clusterSource.status().streams;
    for (const mode of ["fleet", "local"]) {
      this.set({ mode }, streams.filter((stream) => stream.mode === mode).length);
    }
  },
});

new Counter({
  name: "kvs_gateway_cluster_redis_commands_total",
  help: "Cluster mode: Redis commands sent (each one round trip), blocking reads included.",
  registers,
  collect() {
    this.reset();
    if (clusterSource) this.inc(clusterSource.status().redisCommands);
  },
});

// Zero series for the label values every deployment has, so dashboards see 0 rather than nothing.
for (const kind of ["shared", "private"]) getMediaSessions.set({ kind }, 0);

/** Call once for each GraphQL document refused by a limit; `limit` names it (snake_case). */
export function countRejectedDocument(limit: string): void {
  rejectedDocuments.inc({ limit });
}

/** Call once for each request refused by a rate limit or concurrency cap; `scope` names it. */
export function countRateLimited(scope: string): void {
  rateLimited.inc({ scope });
}

/** Counts a typed error a resolver returned as data (the errors plugin's onResolvedError). */
export function countTypedError(error: Error): void {
  const code = (error as { code?: unknown }).code;
  graphqlErrors.inc({ kind: "typed", code: typeof code === "string" ? code : error.name });
}

/** Counts clip bytes passing through on their way to a download response. */
export function clipBytesCounter(source: string): Transform {
  const bytes = clipBytesServed.labels({ source });
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes.inc(chunk.byteLength);
      callback(null, chunk);
    },
  });
}

/** One clip download answered from `source` (the X-Clip-Source header's value). */
export function countClipLookup(source: "cache" | "shared" | "upstream"): void {
  cacheLookups.inc({
    cache: "clip",
    outcome: source === "cache" ? "hit" : source === "shared" ? "shared" : "miss",
  });
}
