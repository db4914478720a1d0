// GET /images/<name>?…: the picture behind an image's signed link (Stream.images). The signature
// and expiry are checked before anything else (403 otherwise, no upstream call); then the image
// comes from the shared window cache, or from the GetImages page (window) that holds it, one call
// for all concurrent misses of that page. Cache-Control lets browsers keep it until the link expires.
import type { IncomingMessage, ServerResponse } from "node:http";
import { LinkTokenError } from "../kvs/core/link-signing.ts";
import type { ImageServices } from "../kvs/images/services.ts";
import { type ImageGrant, signImageLink, verifyImageLink } from "../kvs/images/signing.ts";
import { sendUpstreamError } from "./clip-download-route.ts";
import type { HttpRoute } from "./routes.ts";
import type { GatewayServices } from "./services.ts";

export const IMAGE_PATH_PREFIX = "/images/";
const IMAGE_PATH = /^\/images\/[A-Za-z0-9_.-]{1,200}$/;

const CONTENT_TYPES = { JPEG: "image/jpeg", PNG: "image/png" } as const;

/** `<stream>_<instant>.jpg|png`: a readable name; the query string is what counts. */
function fileName(grant: ImageGrant, timestampMs: number): string {
  const name = /:stream\/([^/]+)\//.exec(grant.grid.streamArn)?.[1] ?? "image";
  const instant = new Date(timestampMs).toISOString().replaceAll(":", "-");
  const ext = grant.grid.look.format === "PNG" ? "png" : "jpg";
  return `${name.replace(/[^A-Za-z0-9_.-]/g, "_")}_${instant}.${ext}`;
}

/** The absolute link of a signed image grant, on the gateway reached at `origin`. */
export function imageUrl(
  origin: string,
  images: ImageServices,
  grant: ImageGrant,
  timestampMs: number,
): string {
  const params = signImageLink(images.signer, grant);
  return `${origin.replace(/\/+$/, "")}${IMAGE_PATH_PREFIX}${fileName(grant, timestampMs)}?${params.toString()}`;
}

export function imageRoute(services: Pick<GatewayServices, "images">): HttpRoute {
  return {
    methods: ["GET", "HEAD"],
    path: IMAGE_PATH,
    handle: (request, response, url) => serveImage(services.images, request, response, url),
  };
}

async function serveImage(
  images: ImageServices,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Promise<void> {
  let grant: ImageGrant;
  try {
    grant = verifyImageLink(images.signer, url.searchParams);
  } catch (error) {
    if (!(error instanceof LinkTokenError)) throw error;
    sendJson(response, 403, {
      error: "ImageUrlRejected",
      reason: error.reason,
      message: error.message,
    });
    return;
  }
  let found: Awaited<ReturnType<ImageServices["windows"]["image"]>>;
  try {
    found = await images.windows.image(grant, grant.point, () => {});
  } catch (error) {
    if (!response.destroyed) sendUpstreamError(response, error);
    return;
  }
  if (response.destroyed) return;
  const { image, source } = found;
  if (image?.content === undefined) {
    sendJson(response, 404, {
      error: image?.error ?? "NO_MEDIA",
      message: "KVS has no picture for this instant",
    });
    return;
  }
  const maxAge = Math.max(0, Math.floor((grant.expiresAtMs - images.signer.now()) / 1000));
  response.writeHead(200, {
    "Content-Type": CONTENT_TYPES[grant.grid.look.format],
    "Content-Length": String(image.content.length),
    "Cache-Control": `private, max-age=${maxAge}`,
    "X-Image-Source": source,
  });
  response.end(request.method === "HEAD" ? undefined : image.content);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
  response.end(JSON.stringify(body));
}
