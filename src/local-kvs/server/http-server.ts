// The node:http server: restJson1 routing (`POST /<lowerCamelOperation>`), AWS-shaped errors,
// the Authorization check, per-operation stats and fault injection, and the limits that keep
// slow or greedy clients from starving the rest: a headers timeout, a JSON body timeout, a socket
// cap that evicts waiting sockets first, and the PutMedia memory budget.

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { PlaybackSessions } from "../archived-media/streaming/playback-sessions.ts";
import { isSessionResourcePath } from "../archived-media/streaming/session-resources.ts";
import { checkAuthorization } from "../auth/authorization-header.ts";
import type { Clock } from "../clock.ts";
import { KvsServiceError } from "../errors.ts";
import type { Fault, FaultInjector } from "../faults.ts";
import { MemoryBudget } from "../ingest/memory-budget.ts";
import { operationHandlers } from "../operations/index.ts";
import type { OperationStats } from "../stats.ts";
import type { FragmentStore } from "../store/types.ts";
import { RequestInput } from "../validation.ts";
import { ConnectionTracker } from "./connection-tracker.ts";
import {
  type HandlerContext,
  type ListFragmentsOrder,
  type LocalKvsConfig,
  type OperationHandler,
  pathForOperation,
} from "./context.ts";
import { drainThenHangUp } from "./drain-request.ts";
import { readJsonBody } from "./json-body.ts";
import { openMediaSink } from "./media-sink.ts";
import { RateLimiter } from "./rate-limiter.ts";
import { answerSessionResource } from "./session-resource-route.ts";
import { SocketAdmission } from "./socket-admission.ts";

/** Longer than clients keep idle sockets, so they close first (no reuse-while-closing resets). */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

const UNKNOWN_OPERATION_BODY = JSON.stringify({
  Output: { __type: "com.amazon.coral.service#UnknownOperationException" },
  Version: "1.0",
});

export interface KvsHttpServerOptions {
  host: string;
  port: number;
  store: FragmentStore;
  stats: OperationStats;
  faults: FaultInjector;
  clock: Clock;
  log: (line: string) => void;
  requireAuthorization: boolean;
  region: string;
  accountId: string;
  getClipRatePerSecond: number;
  getImagesRatePerSecond: number;
  getMediaRatePerSecond: number;
  getMediaConnectionLimit: number;
  getMediaSessionMaxSeconds: number;
  putMediaIdleAckSeconds: number;
  putMediaIdleTimeoutSeconds: number;
  putMediaConnectionLimit: number;
  putMediaMinBytesPerSecond: number;
  putMediaMinRateWindowSeconds: number;
  /** Bytes all PutMedia connections may hold at once (Infinity = unbounded). */
  putMediaMemoryBytes: number;
  /** Time a client has to send its request headers (0 = unlimited). */
  headersTimeoutSeconds: number;
  /** Time a client has to send a JSON request body once its headers arrived (0 = unlimited). */
  requestBodyTimeoutSeconds: number;
  /** Open sockets at most (Infinity = no cap). */
  maxConnections: number;
  listFragmentsOrder: ListFragmentsOrder;
  playbackSessionRatePerSecond: number;
  playbackPlaylistRatePerSecond: number;
  playbackFragmentRatePerSecond: number;
}

export interface KvsHttpServer {
  endpoint: string;
  port: number;
  putMediaBudget: MemoryBudget;
  admission: SocketAdmission;
  close(): Promise<void>;
}

export function sendError(res: ServerResponse, requestId: string, error: KvsServiceError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ __type: error.exception, Message: error.message });
  res.writeHead(error.status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "x-amzn-ErrorType": error.exception,
    "x-amzn-RequestId": requestId,
  });
  res.end(body);
}

/** Waits `ms`, or less if `signal` aborts first. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

function faultError(fault: Fault): KvsServiceError | undefined {
  if (fault.kind === "exception") {
    return new KvsServiceError(
      fault.exception,
      fault.message ?? `Injected ${fault.exception}`,
      fault.status,
    );
  }
  if (fault.kind === "status") {
    const exception = fault.status === 503 ? "ServiceUnavailable" : "InternalFailure";
    return new KvsServiceError(exception, `Injected HTTP ${fault.status}`, fault.status);
  }
  return undefined;
}

export async function startKvsHttpServer(options: KvsHttpServerOptions): Promise<KvsHttpServer> {
  const routes = new Map<string, OperationHandler>(
    operationHandlers.map((h) => [pathForOperation(h.operation), h]),
  );
  const shutdown = new AbortController();
  const admission = new SocketAdmission(options.maxConnections);
  const putMediaBudget = new MemoryBudget(options.putMediaMemoryBytes);
  const connections = new ConnectionTracker();
  const rates = new RateLimiter();
  const config: LocalKvsConfig = {
    region: options.region,
    accountId: options.accountId,
    endpoint: "",
    getClipRatePerSecond: options.getClipRatePerSecond,
    getImagesRatePerSecond: options.getImagesRatePerSecond,
    getMediaRatePerSecond: options.getMediaRatePerSecond,
    getMediaConnectionLimit: options.getMediaConnectionLimit,
    getMediaSessionMaxSeconds: options.getMediaSessionMaxSeconds,
    putMediaIdleAckSeconds: options.putMediaIdleAckSeconds,
    putMediaIdleTimeoutSeconds: options.putMediaIdleTimeoutSeconds,
    putMediaConnectionLimit: options.putMediaConnectionLimit,
    putMediaMinBytesPerSecond: options.putMediaMinBytesPerSecond,
    putMediaMinRateWindowSeconds: options.putMediaMinRateWindowSeconds,
    listFragmentsOrder: options.listFragmentsOrder,
    playbackSessionRatePerSecond: options.playbackSessionRatePerSecond,
    playbackPlaylistRatePerSecond: options.playbackPlaylistRatePerSecond,
    playbackFragmentRatePerSecond: options.playbackFragmentRatePerSecond,
  };
  const playbackSessions = new PlaybackSessions();

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method !== "POST" && isSessionResourcePath(path)) {
      await answerSessionResource(req, res, requestId, {
        store: options.store,
        sessions: playbackSessions,
        rates,
        config,
        clock: options.clock,
        stats: options.stats,
        log: options.log,
      });
      return;
    }
    const handler = req.method === "POST" ? routes.get(path) : undefined;
    if (!handler) {
      req.resume();
      res.writeHead(200, {
        "Content-Type": "application/json",
        "x-amzn-RequestId": requestId,
      });
      res.end(UNKNOWN_OPERATION_BODY);
      return;
    }
    options.stats.record(handler.operation);
    const closedStat = options.stats.opened(handler.operation);

    const clientGone = new AbortController();
    res.on("close", () => {
      closedStat(!res.writableFinished);
      if (!res.writableFinished) clientGone.abort();
    });
    const signal = AbortSignal.any([shutdown.signal, clientGone.signal]);

    try {
      checkAuthorization(req.headers, options);
      const fault = options.faults.take(handler.operation);
      const injected = fault ? faultError(fault) : undefined;
      if (injected) throw injected;
      if (fault?.kind === "delay") await delay(fault.ms, signal);
      const body = handler.streamingRequest
        ? {}
        : await readJsonBody(req, options.requestBodyTimeoutSeconds * 1000);
      const ctx: HandlerContext = {
        operation: handler.operation,
        requestId,
        input: RequestInput.from(body),
        req,
        res,
        store: options.store,
        stats: options.stats,
        faults: options.faults,
        fault,
        clock: options.clock,
        config,
        connections,
        putMediaBudget,
        rates,
        playbackSessions,
        signal,
        log: options.log,
        replyJson(value, status = 200) {
          const text = JSON.stringify(value);
          res.writeHead(status, {
            "Content-Type": "application/json",
            "Content-Length": Buffer.byteLength(text),
            "x-amzn-RequestId": requestId,
          });
          res.end(text);
        },
        startStream(contentType, headers = {}) {
          res.writeHead(200, {
            "Content-Type": contentType,
            "x-amzn-RequestId": requestId,
            ...headers,
          });
          res.flushHeaders();
          return openMediaSink(res, signal, {
            dropAfterBytes: fault?.kind === "drop-after-bytes" ? fault.bytes : undefined,
            stall: fault?.kind === "stall-after-bytes" ? fault : undefined,
          });
        },
      };
      await handler.handle(ctx);
    } catch (error) {
      if (error instanceof KvsServiceError) {
        sendError(res, requestId, error);
        drainThenHangUp(req);
        return;
      }
      options.log(`${handler.operation} ${requestId} failed: ${String(error)}`);
      sendError(res, requestId, new KvsServiceError("InternalFailure", "Internal error", 500));
    }
  }

  const headersTimeoutMs = options.headersTimeoutSeconds * 1000;
  const server = createServer(
    {
      // No timeout for whole requests: a PutMedia body streams for hours (its own idle timeout
      // and minimum rate apply), and JSON bodies have their own timeout in readJsonBody.
      requestTimeout: 0,
      // Set explicitly: Node derives the default from requestTimeout, so 0 there turns it off.
      headersTimeout: headersTimeoutMs,
      // Node checks both every 30 s by default: a slow-header socket would outlive the timeout.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, headersTimeoutMs / 4 || 1000)),
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    },
    (req, res) => {
      admission.busy(req.socket);
      res.once("finish", () => admission.idle(req.socket));
      handleRequest(req, res).catch((error: unknown) => {
        options.log(`request failed: ${String(error)}`);
        res.destroy();
      });
    },
  );
  server.on("connection", (socket) => admission.admit(socket));
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    // The headers timeout fired: say so, as Node's own default handler would.
    const timedOut = error.code === "ERR_HTTP_REQUEST_TIMEOUT";
    socket.end(
      timedOut
        ? "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"
        : "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n",
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host =
    options.host === "0.0.0.0" || options.host === "::" || options.host === ""
      ? "127.0.0.1"
      : options.host;
  const endpoint = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  config.endpoint = endpoint;

  return {
    endpoint,
    port,
    putMediaBudget,
    admission,
    close: () =>
      new Promise<void>((resolve) => {
        shutdown.abort();
        server.close(() => resolve());
        for (const socket of [...admission.all()]) socket.destroy();
      }),
  };
}
