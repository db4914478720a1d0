// GET /metrics in Prometheus' text format. Metrics tell an outsider a lot (stream activity, error
// rates, memory), so they are not public by default: the gateway port serves them only where
// config.ts' metricsExposure allows (bound to loopback, or with a bearer token), and a separate
// listener (METRICS_PORT) can serve them instead.

import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { HttpRoute } from "../routes.ts";
import { metricsRegistry } from "./metrics.ts";

export const METRICS_PATH = "/metrics";

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Constant-time comparison of `Authorization: Bearer <token>` with the configured token. */
function authorized(request: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const header = request.headers.authorization;
  const match = typeof header === "string" ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), digest(token));
}

async function serveMetrics(
  request: IncomingMessage,
  response: ServerResponse,
  token: string | undefined,
): Promise<void> {
  if (!authorized(request, token)) {
    response.writeHead(401, {
      "Content-Type": "application/json; charset=utf-8",
      "WWW-Authenticate": 'Bearer realm="metrics"',
    });
    response.end(JSON.stringify({ error: "Unauthorized", message: "A bearer token is required." }));
    return;
  }
  const body = await metricsRegistry.metrics();
  response.writeHead(200, {
    "Content-Type": metricsRegistry.contentType,
    "Cache-Control": "no-store",
  });
  response.end(request.method === "HEAD" ? undefined : body);
}

export function metricsRoute(bearerToken: string | undefined): HttpRoute {
  return {
    methods: ["GET", "HEAD"],
    path: METRICS_PATH,
    handle: (request, response) => serveMetrics(request, response, bearerToken),
  };
}

export interface MetricsServer {
  readonly server: Server;
  /** e.g. "http://127.0.0.1:9464/metrics". */
  readonly url: string;
  stop(): Promise<void>;
}

/** A listener of its own that serves /metrics only (METRICS_PORT). */
export async function startMetricsServer(
  port: number,
  host: string,
  bearerToken: string | undefined,
): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://metrics.invalid").pathname;
    if (path !== METRICS_PATH || (request.method !== "GET" && request.method !== "HEAD")) {
      response.writeHead(404, { "Content-Type": "application/json; charset=utf-8" });
      response.end(JSON.stringify({ error: "NotFound", message: `Only GET ${METRICS_PATH}.` }));
      return;
    }
    serveMetrics(request, response, bearerToken).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostname = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${hostname}:${address.port}${METRICS_PATH}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
