// CORS for the plain HTTP routes, with the same allowed origins as the GraphQL endpoint.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { GatewayOptions } from "./services.ts";

/** Sets CORS response headers when the request's Origin is allowed; true if it was. */
export function applyCors(
  request: IncomingMessage,
  response: ServerResponse,
  origins: GatewayOptions["corsOrigins"],
  methods: readonly string[],
): boolean {
  const origin = request.headers.origin;
  if (typeof origin !== "string") return false;
  const allowed = origins === "*" || origins.includes(origin);
  if (!allowed) return false;
  response.setHeader("Access-Control-Allow-Origin", origins === "*" ? "*" : origin);
  if (origins !== "*") response.setHeader("Vary", "Origin");
  response.setHeader("Access-Control-Allow-Methods", [...methods, "OPTIONS"].join(", "));
  const requested = request.headers["access-control-request-headers"];
  if (typeof requested === "string") response.setHeader("Access-Control-Allow-Headers", requested);
  response.setHeader(
    "Access-Control-Expose-Headers",
    "Content-Length, Content-Disposition, Content-Type",
  );
  return true;
}
