// Plain HTTP routes served next to /graphql (e.g. clip downloads). A route module exports a
// factory taking the shared services; list it in `gatewayRoutes` to have every app serve it.

import type { IncomingMessage, ServerResponse } from "node:http";
import { clipDownloadRoute } from "./clip-download-route.ts";
import { imageRoute } from "./image-route.ts";
import type { GatewayServices } from "./services.ts";
import { viewerRoute } from "./viewer/route.ts";

export interface HttpRoute {
  /** Upper-case methods this route answers; OPTIONS preflights are answered by the app. */
  readonly methods: readonly string[];
  /** An exact pathname, or a pattern tested against the pathname. */
  readonly path: string | RegExp;
  /**
   * Writes the whole response. A thrown error becomes a 500 JSON answer if nothing was sent
   * yet; otherwise the connection is dropped.
   */
  handle(request: IncomingMessage, response: ServerResponse, url: URL): void | Promise<void>;
}

/** The routes every gateway app serves. */
export function gatewayRoutes(services: GatewayServices): HttpRoute[] {
  return [clipDownloadRoute(services), imageRoute(services), viewerRoute(services)];
}

export function routeMatches(route: HttpRoute, method: string, pathname: string): boolean {
  const pathMatches =
    typeof route.path === "string" ? route.path === pathname : route.path.test(pathname);
  return pathMatches && (method === "OPTIONS" || route.methods.includes(method));
}
