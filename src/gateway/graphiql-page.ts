// GraphiQL's page, served by the gateway rather than by Yoga's GraphiQL plugin so that it carries
// the headers a page holding a credential-using console needs: compressed (the page inlines all
// of GraphiQL and Monaco, 9 MB, which gzip makes about 2.4 MB and Brotli less), a Content-Security-
// Policy allowing only its own inline scripts (by hash) and same-origin connections, no framing
// (`frame-ancestors 'none'`: no clickjacking through a hidden frame), and nosniff.

import { createHash } from "node:crypto";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import type { Plugin } from "graphql-yoga";
import { CompressedBody, staticPageHeaders } from "./compressed-body.ts";

export type GraphiQLOptions = Parameters<typeof renderGraphiQL>[0];

/** The sha256 sources of a page's inline scripts, for script-src. */
function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (match) =>
      `'sha256-${createHash("sha256")
        .update(match[1] ?? "")
        .digest("base64")}'`,
  );
}

/**
 * Monaco runs its language services in workers made from blob: URLs and injects its styles at run
 * time (so styles need 'unsafe-inline'; scripts don't); the favicon and fonts are data: URLs.
 * connect-src 'self' covers /graphql over HTTP, SSE and same-origin WebSocket.
 */
export function graphiqlContentSecurityPolicy(html: string): string {
  return [
    "default-src 'none'",
    ["script-src", ...inlineScriptHashes(html)].join(" "),
    "worker-src blob:",
    "style-src 'unsafe-inline'",
    "font-src data:",
    "img-src data: 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Answers GraphiQL's GET (Accept: text/html) on `endpoint`, as Yoga's own plugin would decide. */
export function useGraphiQLPage(endpoint: string, options: GraphiQLOptions): Plugin {
  const html = renderGraphiQL(options);
  const page = new CompressedBody(html);
  const policy = graphiqlContentSecurityPolicy(html);
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== "GET" && request.method !== "HEAD") return;
      if (url.pathname !== endpoint && url.pathname !== `${endpoint}/`) return;
      if (!request.headers.get("accept")?.includes("text/html")) return;
      return page.negotiate(request.headers.get("accept-encoding")).then((negotiated) => {
        endResponse(
          new fetchAPI.Response(request.method === "HEAD" ? null : bytesOf(negotiated.body), {
            status: 200,
            headers: staticPageHeaders("text/html; charset=utf-8", negotiated, policy),
          }),
        );
      });
    },
  };
}

/** A view of the cached bytes, without copying them per request. */
function bytesOf(body: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength);
}
