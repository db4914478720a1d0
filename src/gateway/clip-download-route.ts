// GET /clips?…: the download behind a clip's signed URL. The signature is checked before anything
// else (403 otherwise, no upstream call); then the MP4 is streamed as GetClip produces it (from the
// cache, a download of the same clip already running, or a new GetClip paced by the governor),
// with backpressure, and the upstream call is abandoned when the client goes away.
//
// Byte ranges (a single `Range: bytes=…`, as <video> in Safari asks) are served from the clip cache.
// A range of a clip not cached yet but cacheable (settled) waits for the whole clip to be
// downloaded into the cache, then is cut from there: players ask for many ranges of one clip and
// each would otherwise cost a GetClip (one per second per stream). A clip that may still change is
// never cached, so a range of it is answered 200 with the whole clip, as HTTP allows, with
// `Accept-Ranges: none`. HEAD answers GET's headers without any upstream call: for a clip not
// cached yet that is without Content-Length, and a clip that turns out missing is 200 to HEAD.

import type { IncomingMessage, ServerResponse } from "node:http";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ByteRange, CachedClip } from "../kvs/clips/cache.ts";
import type { ClipSource } from "../kvs/clips/downloads.ts";
import type { ClipServices } from "../kvs/clips/services.ts";
import { type ClipGrant, grantToParams, type SignedClipGrant } from "../kvs/clips/signing.ts";
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
  UpstreamUnavailableError,
} from "../kvs/core/errors.ts";
import { LinkTokenError } from "../kvs/core/link-signing.ts";
import { clipBytesCounter, countClipLookup } from "./observability/metrics.ts";
import { currentOperation } from "./observability/operation-scope.ts";
import type { HttpRoute } from "./routes.ts";
import { type PrincipalLimits, retryAfterSeconds } from "./security/principal-limits.ts";
import type { GatewayServices } from "./services.ts";

export const CLIP_DOWNLOAD_PATH = "/clips";

/** The absolute download URL of a signed grant, on the gateway reached at `origin`. */
export function clipDownloadUrl(origin: string, signed: SignedClipGrant): string {
  return `${origin.replace(/\/+$/, "")}${CLIP_DOWNLOAD_PATH}?${grantToParams(signed).toString()}`;
}

export function clipDownloadRoute(services: Pick<GatewayServices, "clips" | "limits">): HttpRoute {
  return {
    methods: ["GET", "HEAD"],
    path: CLIP_DOWNLOAD_PATH,
    handle: (request, response, url) =>
      serveClip(services.clips, request, response, url, services.limits),
  };
}

async function serveClip(
  clips: ClipServices,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  limits: PrincipalLimits,
): Promise<void> {
  let grant: ClipGrant;
  try {
    grant = clips.signer.verifyParams(url.searchParams);
  } catch (error) {
    if (!(error instanceof LinkTokenError)) throw error;
    sendJson(response, 403, {
      error: "ClipUrlRejected",
      reason: error.reason,
      message: error.message,
    });
    return;
  }
  exposeClipHeaders(response);

  const head = request.method === "HEAD";
  // Range applies to GET only; with If-Range the client holds a validator this route never gave
  // out, which can't match: the whole clip, as RFC 9110 says.
  const range =
    head || request.headers["if-range"] !== undefined
      ? undefined
      : parseRange(request.headers.range);

  const cached = clips.downloads.cached(grant);
  if (cached !== undefined) {
    sendCached(response, grant, cached, { range, head, source: "cache" });
    return;
  }
  if (head && grant.assembly === undefined) {
    // What GET would answer, as far as it is known without a GetClip (a HEAD must not cost one,
    // 1 per second per stream): no Content-Length until the clip is cached.
    response.writeHead(200, {
      ...clipHeaders(grant, "upstream"),
      "Accept-Ranges": clips.downloads.cacheable(grant) ? "bytes" : "none",
    });
    response.end();
    return;
  }
  // The holder's share of concurrent downloads that cost GetClips (cached ones and joins of a
  // download already running cost none); a slot is held until the response ends.
  const slot = costsGetClips(clips, grant)
    ? limits.acquireDownload(grant.holder ?? `anonymous@${request.socket.remoteAddress}`)
    : FREE_DOWNLOAD;
  if (!slot.ok) {
    response.setHeader("Retry-After", String(retryAfterSeconds(slot.retryAfterMs)));
    sendJson(response, 429, {
      error: "RATE_LIMITED",
      scope: "downloads",
      retryAfterMs: slot.retryAfterMs,
      message: `You have ${limits.settings.maxConcurrentDownloads} clip downloads running, your limit; retry when one ends.`,
    });
    return;
  }
  response.once("close", slot.release);
  if (grant.assembly !== undefined) {
    await streamStitched(clips, grant, response, head);
    return;
  }
  if (range !== undefined && clips.downloads.cacheable(grant)) {
    const filled = await fillCache(clips, grant, response);
    if (filled === "answered") return;
    if (filled !== undefined) {
      sendCached(response, grant, filled.clip, { range, head, source: filled.source });
      return;
    }
    // Too large for the cache after all: the whole clip, from a new download.
  }
  await streamDownload(clips, grant, response, head);
}

const FREE_DOWNLOAD = { ok: true, release: () => {} } as const;

function costsGetClips(clips: ClipServices, grant: ClipGrant): boolean {
  return grant.assembly !== undefined || !clips.downloads.joinable(grant);
}

/** A new, shared or cached download, streamed whole (headers only for HEAD). */
async function streamDownload(
  clips: ClipServices,
  grant: ClipGrant,
  response: ServerResponse,
  head: boolean,
): Promise<void> {
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
  if (response.destroyed || head) download.body.destroy();
  if (response.destroyed) return;

  countClipLookup(download.source);
  // Ranges are served once the clip is cached: say so only for a clip the cache can take.
  const rangesServed =
    download.source === "cache" ||
    (clips.downloads.cacheable(grant) &&
      (contentLength === undefined || contentLength <= clips.cache.maxEntryBytes));
  response.writeHead(200, {
    ...clipHeaders(grant, download.source),
    "Accept-Ranges": rangesServed ? "bytes" : "none",
    ...(contentLength === undefined ? {} : { "Content-Length": String(contentLength) }),
  });
  if (head) {
    response.end();
    return;
  }
  try {
    await pipeline(download.body, clipBytesCounter(download.source), response);
  } catch {
    // The client left (the pipeline destroyed the body, which aborts an unshared GetClip), or
    // upstream broke mid-clip (the pipeline destroyed the response: the client sees it cut short).
  }
}

/**
 * A whole range (or its timelapse) stitched from its parts' GetClips, streamed as it is made: no
 * Content-Length (chunked), and a Range header is answered with the whole clip until a settled
 * one is in the cache. HEAD answers at once, without any upstream call.
 */
async function streamStitched(
  clips: ClipServices,
  grant: ClipGrant,
  response: ServerResponse,
  head: boolean,
): Promise<void> {
  const headers = {
    ...clipHeaders(grant, "upstream"),
    "Accept-Ranges": clips.stitched.cacheable(grant) ? "bytes" : "none",
  };
  if (head) {
    response.writeHead(200, headers);
    response.end();
    return;
  }
  const download = await clips.stitched.open(grant);
  const onClientGone = () => download.body.destroy();
  response.once("close", onClientGone);
  try {
    await download.ready;
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
  response.writeHead(200, headers);
  try {
    await pipeline(download.body, response);
  } catch {
    // The client left (the download stops asking KVS), or a part failed (logged where it failed;
    // the response is cut short, so the client sees a truncated transfer).
  }
}

/**
 * Downloads a cacheable clip into the cache without sending it. Resolves with the cached clip;
 * undefined when the cache did not take it (too large); "answered" when an error was sent or the
 * client left.
 */
async function fillCache(
  clips: ClipServices,
  grant: ClipGrant,
  response: ServerResponse,
): Promise<{ clip: CachedClip; source: ClipSource } | "answered" | undefined> {
  const download = clips.downloads.open(grant);
  const onClientGone = () => download.body.destroy();
  response.once("close", onClientGone);
  let answered = false;
  try {
    await download.ready;
    answered = true;
    await pipeline(download.body, discard());
  } catch (error) {
    download.body.destroy();
    if (!response.destroyed) {
      sendUpstreamError(
        response,
        // Once GetClip answered, a failure is KVS breaking off the clip.
        answered && !(toKvsError(error) instanceof KvsError)
          ? new UpstreamUnavailableError("KVS broke off the clip mid-download", {
              code: "IncompleteClip",
              cause: error,
            })
          : error,
      );
    }
    return "answered";
  } finally {
    response.off("close", onClientGone);
  }
  if (response.destroyed) return "answered";
  const clip = clips.downloads.cached(grant);
  return clip === undefined ? undefined : { clip, source: download.source };
}

function discard(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}

/** A cached clip: whole (200), a range of it (206), or 416 when the range lies past its end. */
function sendCached(
  response: ServerResponse,
  grant: ClipGrant,
  clip: CachedClip,
  { range, head, source }: { range: RangeRequest | undefined; head: boolean; source: ClipSource },
): void {
  countClipLookup(source);
  const headers = { ...clipHeaders(grant, source), "Accept-Ranges": "bytes" };
  const satisfied = range === undefined ? undefined : satisfy(range, clip.size);
  if (satisfied === "unsatisfiable") {
    response.writeHead(416, {
      ...headers,
      "Content-Type": "application/json; charset=utf-8",
      "Content-Range": `bytes */${clip.size}`,
    });
    response.end(
      JSON.stringify({
        error: "RangeNotSatisfiable",
        message: `the clip has ${clip.size} bytes`,
      }),
    );
    return;
  }
  const length = satisfied === undefined ? clip.size : satisfied.end - satisfied.start + 1;
  response.writeHead(satisfied === undefined ? 200 : 206, {
    ...headers,
    "Content-Length": String(length),
    ...(satisfied === undefined
      ? {}
      : { "Content-Range": `bytes ${satisfied.start}-${satisfied.end}/${clip.size}` }),
  });
  if (head) {
    response.end();
    return;
  }
  pipeline(clip.open(satisfied), clipBytesCounter(source), response).catch(() => {
    // The client left, or a spilled file vanished mid-read: the response is cut short.
  });
}

function clipHeaders(grant: ClipGrant, source: ClipSource): Record<string, string> {
  return {
    "Content-Type": "video/mp4",
    "Content-Disposition": `attachment; filename="${clipFileName(grant)}"`,
    "X-Clip-Source": source,
  };
}

/** Lets browser code calling with CORS read the range headers too. */
function exposeClipHeaders(response: ServerResponse): void {
  const exposed = response.getHeader("Access-Control-Expose-Headers");
  if (typeof exposed !== "string") return;
  response.setHeader(
    "Access-Control-Expose-Headers",
    `${exposed}, Accept-Ranges, Content-Range, X-Clip-Source`,
  );
}

/** One `bytes=` range: first and last offsets, or the last `suffix` bytes. */
export type RangeRequest =
  | { kind: "from"; first: number; last: number | undefined }
  | { kind: "suffix"; length: number };

const BYTE_RANGE = /^bytes[ \t]*=[ \t]*(?:(\d+)[ \t]*-[ \t]*(\d*)|-[ \t]*(\d+))[ \t]*$/i;

/**
 * A Range header holding a single byte range, else undefined: no header, another unit, a syntax
 * error or several ranges, which are all answered with the whole clip (RFC 9110 §14.2 lets a
 * server ignore Range; multipart/byteranges is not worth having for video players, which ask one).
 */
export function parseRange(header: string | undefined): RangeRequest | undefined {
  const match = header === undefined ? null : BYTE_RANGE.exec(header);
  if (match === null) return undefined;
  const [, first, last, suffix] = match;
  if (suffix !== undefined) return { kind: "suffix", length: Number(suffix) };
  const from = Number(first);
  const to = last === undefined || last === "" ? undefined : Number(last);
  if (to !== undefined && to < from) return undefined;
  return { kind: "from", first: from, last: to };
}

/** The inclusive offsets a range selects in `size` bytes, or "unsatisfiable". */
export function satisfy(range: RangeRequest, size: number): ByteRange | "unsatisfiable" {
  if (range.kind === "suffix") {
    if (range.length === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - range.length), end: size - 1 };
  }
  if (range.first >= size) return "unsatisfiable";
  return { start: range.first, end: Math.min(range.last ?? size - 1, size - 1) };
}

/**
 * `<stream>_<start>_<end>.mp4` (`…_timelapse-<speed>x.mp4` for a timelapse), with ISO 8601
 * instants made safe for file systems.
 */
export function clipFileName(
  grant: Pick<ClipGrant, "streamArn" | "startMs" | "endMs" | "assembly">,
): string {
  const name = /:stream\/([^/]+)\//.exec(grant.streamArn)?.[1] ?? "clip";
  const instant = (ms: number) => new Date(ms).toISOString().replaceAll(":", "-");
  const suffix = grant.assembly?.kind === "timelapse" ? `_timelapse-${grant.assembly.speed}x` : "";
  return `${name.replace(/[^A-Za-z0-9_.-]/g, "_")}_${instant(grant.startMs)}_${instant(grant.endMs)}${suffix}.mp4`;
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

/** A KVS failure as a JSON answer for a plain HTTP client (the image route answers the same way). */
export function sendUpstreamError(response: ServerResponse, error: unknown): void {
  const mapped = toKvsError(error);
  if (!(mapped instanceof KvsError)) {
    currentOperation()?.log.error({ err: error }, "download failed");
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
