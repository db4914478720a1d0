// GET /hls/v1/… and /dash/v1/…: the playback session resources, answered with CORS headers and
// AWS-shaped errors (x-amzn-ErrorType, {"__type","Message"}), counted in the stats by resource.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PlaybackSessions } from "../archived-media/streaming/playback-sessions.ts";
import { serveSessionResource } from "../archived-media/streaming/session-resources.ts";
import type { Clock } from "../clock.ts";
import { KvsServiceError } from "../errors.ts";
import type { OperationStats } from "../stats.ts";
import type { FragmentStore } from "../store/types.ts";
import type { LocalKvsConfig } from "./context.ts";
import { sendError } from "./http-server.ts";
import type { RateLimiter } from "./rate-limiter.ts";

export interface SessionRouteOptions {
  store: FragmentStore;
  sessions: PlaybackSessions;
  rates: RateLimiter;
  config: LocalKvsConfig;
  clock: Clock;
  stats: OperationStats;
  log: (line: string) => void;
}

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "x-amzn-ErrorType, x-amzn-RequestId",
};

export async function answerSessionResource(
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  options: SessionRouteOptions,
): Promise<void> {
  req.resume();
  const url = new URL(req.url ?? "/", "http://kvs-local.invalid");
  for (const [name, value] of Object.entries(CORS)) res.setHeader(name, value);
  if (req.method === "OPTIONS") {
    res.writeHead(204, {
      "Access-Control-Allow-Methods": "GET, HEAD",
      "Access-Control-Allow-Headers": "*",
      "Access-Control-Max-Age": "600",
    });
    res.end();
    return;
  }
  const resource = url.pathname.slice(url.pathname.lastIndexOf("/") + 1);
  options.stats.record(resource);
  try {
    if (req.method !== "GET" && req.method !== "HEAD") {
      throw new KvsServiceError(
        "InvalidArgumentException",
        "Streaming session resources answer GET only.",
      );
    }
    const answer = await serveSessionResource(
      {
        store: options.store,
        sessions: options.sessions,
        rates: options.rates,
        config: options.config,
        nowMs: options.clock.now(),
        params: url.searchParams,
      },
      url.pathname,
    );
    const body = typeof answer.body === "string" ? Buffer.from(answer.body) : answer.body;
    res.writeHead(200, {
      "Content-Type": answer.contentType,
      "Content-Length": String(body.byteLength),
      "Cache-Control": "no-cache",
      "x-amzn-RequestId": requestId,
    });
    res.end(req.method === "HEAD" ? undefined : body);
  } catch (error) {
    if (error instanceof KvsServiceError) {
      sendError(res, requestId, error);
      return;
    }
    options.log(`${resource} ${requestId} failed: ${String(error)}`);
    sendError(res, requestId, new KvsServiceError("InternalFailure", "Internal error", 500));
  }
}
