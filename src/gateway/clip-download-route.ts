// GET /clips?…: the download behind a clip's signed URL. The signature is checked before anything
// else (403 otherwise, no upstream call); then the MP4 is streamed as GetClip produces it (from the
// cache, a download of the same clip already running, or a new GetClip paced by the governor),
// with backpressure, and the upstream call is abandoned when the client goes away.

import type { ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import type { ClipServices } from "../kvs/clip-services.ts";
import {
  type ClipGrant,
  ClipTokenError,
  grantToParams,
  type SignedClipGrant,
} from "../kvs/clip-signing.ts";
import {
  ClientLimitExceededError,
  ConnectionLimitExceededError,
  InvalidArgumentError,
  InvalidCodecPrivateDataError,
  InvalidMediaFrameError,
  KvsError,
  MissingCodecPrivateDataError,
  NoDataRetentionError,
  ResourceNotFoundError,
  toKvsError,
  UnsupportedStreamMediaTypeError,
} from "../kvs/errors.ts";
import type { HttpRoute } from "./routes.ts";
import type { GatewayServices } from "./services.ts";

export const CLIP_DOWNLOAD_PATH = "/clips";

/** The absolute download URL of a signed grant, on the gateway reached at `origin`. */
export function clipDownloadUrl(origin: string, signed: SignedClipGrant): string {
  return `${origin.replace(/\/+$/, "")}${CLIP_DOWNLOAD_PATH}?${grantToParams(signed).toString()}`;
}

export function clipDownloadRoute(services: Pick<GatewayServices, "clips">): HttpRoute {
  return {
    methods: ["GET"],
    path: CLIP_DOWNLOAD_PATH,
    handle: (_request, response, url) => serveClip(services.clips, response, url),
  };
}

async function serveClip(clips: ClipServices, response: ServerResponse, url: URL): Promise<void> {
  let grant: ClipGrant;
  try {
    grant = clips.signer.verifyParams(url.searchParams);
  } catch (error) {
    if (!(error instanceof ClipTokenError)) throw error;
    sendJson(response, 403, {
      error: "ClipUrlRejected",
      reason: error.reason,
      message: error.message,
    });
    return;
  }

  const download = clips.downloads.open(grant);
  // Until the pipeline owns the body, a client that leaves must still release the download.
  const onClientGone = () => download.body.destroy();
  response.once("close", onClientGone);
  let contentLength: number | undefined;
  try {
    ({ contentLength } = await download.ready);
  } catch (error) {
    download.body.destroy();
    if (!response.destroyed) sendUpstreamError(response, error);
    return;
  } finally {
    response.off("close", onClientGone);
  }
  if (response.destroyed) {
    download.body.destroy();
    return;
  }

  response.writeHead(200, {
    "Content-Type": "video/mp4",
    "Content-Disposition": `attachment; filename="${clipFileName(grant)}"`,
    ...(contentLength === undefined ? {} : { "Content-Length": String(contentLength) }),
    "X-Clip-Source": download.source,
  });
  try {
    await pipeline(download.body, response);
  } catch {
    // The client left (the pipeline destroyed the body, which aborts an unshared GetClip), or
    // upstream broke mid-clip (the pipeline destroyed the response: the client sees it cut short).
  }
}

/** `<stream>_<start>_<end>.mp4`, with ISO 8601 instants made safe for file systems. */
export function clipFileName(grant: Pick<ClipGrant, "streamArn" | "startMs" | "endMs">): string {
  const name = /:stream\/([^/]+)\//.exec(grant.streamArn)?.[1] ?? "clip";
  const instant = (ms: number) => new Date(ms).toISOString().replaceAll(":", "-");
  return `${name.replace(/[^A-Za-z0-9_.-]/g, "_")}_${instant(grant.startMs)}_${instant(grant.endMs)}.mp4`;
}

/** HTTP status per KVS exception, for a download client rather than an SDK. */
function statusOf(error: KvsError): number {
  if (error instanceof ResourceNotFoundError || error instanceof NoDataRetentionError) return 404;
  if (error instanceof InvalidArgumentError) return 400;
  if (error instanceof ClientLimitExceededError || error instanceof ConnectionLimitExceededError)
    return 429;
  if (
    error instanceof UnsupportedStreamMediaTypeError ||
    error instanceof MissingCodecPrivateDataError ||
    error instanceof InvalidCodecPrivateDataError ||
    error instanceof InvalidMediaFrameError
  ) {
    return 422;
  }
  // NotAuthorized (the gateway's own credentials), InvalidEndpoint, network failures and 5xx.
  return 502;
}

function sendUpstreamError(response: ServerResponse, error: unknown): void {
  const mapped = toKvsError(error);
  if (!(mapped instanceof KvsError)) {
    console.error("clip download failed:", error);
    sendJson(response, 500, { error: "InternalError", message: "Unexpected error." });
    return;
  }
  const status = statusOf(mapped);
  if (status === 429) response.setHeader("Retry-After", "1");
  sendJson(response, status, {
    error: mapped.code,
    message: mapped.message,
    retryable: mapped.retryable,
    requestId: mapped.requestId ?? null,
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
  response.end(JSON.stringify(body));
}
