// GET /viewer/: a small live viewer (stream picker, fragment timeline over SSE, clips in a
// <video>) made of a few static files in this folder, no build step and nothing from a CDN.
// It is a developer page like GraphiQL, so it follows the same switch (GRAPHIQL): with GraphiQL
// on, `/` redirects here; with it off, neither page exists and these paths answer 404.
// The page and its redirects use only relative URLs, so the gateway also works behind a proxy
// that mounts it under a path prefix (e.g. `/kvs/`).

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { KvsClientOptions } from "../../kvs/core/clients.ts";
import { CompressedBody, staticPageHeaders } from "../compressed-body.ts";
import type { HttpRoute } from "../routes.ts";
import type { GatewayServices } from "../services.ts";

/** hls.js's ES module build, from node_modules: the page imports it as ./hls.js (no CDN). */
const HLS_JS = createRequire(import.meta.url).resolve("hls.js/dist/hls.min.mjs");

export const VIEWER_PATH = "/viewer";

/** Where `/` and `/viewer` send the browser: relative, so a proxy's path prefix is kept. */
const REDIRECTS: Record<string, string> = { "/": "viewer/", [VIEWER_PATH]: "viewer/" };

const FILES: Record<string, { file: string; type: string }> = {
  [`${VIEWER_PATH}/`]: { file: "index.html", type: "text/html; charset=utf-8" },
  [`${VIEWER_PATH}/viewer.js`]: { file: "viewer.js", type: "text/javascript; charset=utf-8" },
  [`${VIEWER_PATH}/player.js`]: { file: "player.js", type: "text/javascript; charset=utf-8" },
  [`${VIEWER_PATH}/recordings.js`]: {
    file: "recordings.js",
    type: "text/javascript; charset=utf-8",
  },
  [`${VIEWER_PATH}/viewer.css`]: { file: "viewer.css", type: "text/css; charset=utf-8" },
  [`${VIEWER_PATH}/favicon.svg`]: { file: "favicon.svg", type: "image/svg+xml" },
  [`${VIEWER_PATH}/hls.js`]: { file: HLS_JS, type: "text/javascript; charset=utf-8" },
};

/** `/` and `/viewer` (redirects), and the viewer's page and assets. */
const PATHS =
  /^\/(?:viewer(?:\/(?:viewer\.js|player\.js|recordings\.js|viewer\.css|favicon\.svg|hls\.js)?)?)?$/;

/**
 * Where live video comes from: KVS playback session URLs point at the stream's data endpoint,
 * which is the configured KVS endpoint's origin (kvs-local, a VPC endpoint) or one of AWS's
 * `*.kinesisvideo.REGION.amazonaws.com` hosts. hls.js fetches its playlists and fragments there.
 */
export function playbackOrigins(kvs: Pick<KvsClientOptions, "region" | "endpoint">): string[] {
  if (kvs.endpoint) return [new URL(kvs.endpoint).origin];
  const suffix = kvs.region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return [`https://*.kinesisvideo.${kvs.region}.${suffix}`];
}

/**
 * Only this origin for code: the page's own script, hls.js served from node_modules and its own
 * style (no inline code); fetch and EventSource to /graphql, clips from /clips. A configured
 * PUBLIC_URL is where clip links point, so media may come from there too. hls.js reads the
 * playback session from KVS (`playbackOrigins`) and hands the video element a MediaSource
 * (`blob:`).
 */
export function viewerContentSecurityPolicy(
  publicUrl: string | undefined,
  playback: readonly string[] = [],
): string {
  const media = publicUrl ? `'self' ${new URL(publicUrl).origin}` : "'self'";
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    ["connect-src 'self'", ...playback].join(" "),
    `media-src ${media} blob:`,
    // Thumbnails come from the gateway's /images links (PUBLIC_URL's origin when set).
    `img-src ${media}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function viewerRoute(services: Pick<GatewayServices, "options">): HttpRoute {
  const enabled = services.options.graphiql;
  const policy = viewerContentSecurityPolicy(
    services.options.publicUrl,
    playbackOrigins(services.options.kvs),
  );
  // Read once and kept, with their compressed forms: a few files (hls.js is the largest, 400 kB).
  const contents = new Map<string, Promise<CompressedBody>>();
  const load = (file: string) => {
    let loaded = contents.get(file);
    if (!loaded) {
      loaded = readFile(path.resolve(import.meta.dirname, file)).then(
        (bytes) => new CompressedBody(bytes),
      );
      // A failed read is retried on the next request instead of being remembered.
      loaded.catch(() => contents.delete(file));
      contents.set(file, loaded);
    }
    return loaded;
  };

  return {
    methods: ["GET", "HEAD"],
    path: PATHS,
    async handle(request, response, url) {
      if (!enabled) {
        response.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
        response.end("Not found.");
        return;
      }
      const redirect = REDIRECTS[url.pathname];
      if (redirect !== undefined) {
        // The page resolves its files against its own URL, so it must end in a slash.
        response.writeHead(302, { location: redirect + url.search, "content-length": "0" });
        response.end();
        return;
      }
      const served = FILES[url.pathname];
      if (!served) throw new Error(`viewer route matched ${url.pathname} without a file`);
      const header = request.headers["accept-encoding"];
      const negotiated = await (await load(served.file)).negotiate(
        Array.isArray(header) ? header.join(",") : header,
      );
      response.writeHead(200, staticPageHeaders(served.type, negotiated, policy));
      response.end(request.method === "HEAD" ? undefined : negotiated.body);
    },
  };
}
