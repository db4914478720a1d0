// A graceful stop (SIGTERM). In order:
// 1. /readyz answers 503 and the listening socket closes: no new connections. A request that still
//    arrives on a kept-alive connection is answered 503 with `Connection: close` and Retry-After
//    (health and metrics routes excepted), so clients move to another instance.
// 2. Every live subscription ends with a typed final event, ShuttingDown (with the continuation
//    token to resume from), then graphql-ws' `complete` (SSE: the event, then the stream ends).
//    Each WebSocket is then closed with 1001 (Going Away) once its operations are over.
// 3. Requests in flight (clip downloads above all) run to their end, up to the deadline.
// 4. Whatever is left at the deadline is cut, and the shared services close.

import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { WebSocket, WebSocketServer } from "ws";
import type { Logger } from "./observability/logger.ts";

/** What graphql-ws keeps per connection that the drain needs. */
export interface WsConnection {
  readonly subscriptions: Readonly<Record<string, unknown>>;
  readonly extra: { readonly socket: WebSocket };
}

export const DEFAULT_SHUTDOWN_DEADLINE_MS = 25_000;
export const WS_GOING_AWAY = 1001;
export const WS_SHUTDOWN_REASON = "Gateway shutting down";
const POLL_MS = 50;

export interface DrainParts {
  server: Server;
  wsServer: WebSocketServer;
  /** Ends every subscription with its final event (the GetMedia fan-out's shutDown). */
  endSubscriptions(): void;
  /** Cuts what is left and closes the services (the app's stop()). */
  stop(): Promise<void>;
  log: Logger;
}

export interface DrainReport {
  /** Requests still running at the deadline (cut). */
  cutRequests: number;
  durationMs: number;
}

/** Tracks a gateway's requests in flight and its graphql-ws connections; drains them. */
export class GatewayLifecycle {
  #draining = false;
  readonly #inFlight = new Set<ServerResponse>();
  readonly #connections = new Set<WsConnection>();

  get draining(): boolean {
    return this.#draining;
  }

  get inFlightRequests(): number {
    return this.#inFlight.size;
  }

  /**
   * Counts a request until its response closes. While draining it answers false after sending
   * the 503 itself (unless `exempt`): the caller must not serve it.
   */
  admit(request: IncomingMessage, response: ServerResponse, exempt: boolean): boolean {
    if (this.#draining) {
      response.shouldKeepAlive = false;
      if (!exempt) {
        response.writeHead(503, {
          "Content-Type": "application/json; charset=utf-8",
          "Retry-After": "1",
          Connection: "close",
        });
        response.end(
          JSON.stringify({ error: "ShuttingDown", message: "The gateway is shutting down." }),
        );
        request.resume();
        return false;
      }
    }
    this.#inFlight.add(response);
    response.once("close", () => this.#inFlight.delete(response));
    return true;
  }

  /** Remembers a graphql-ws connection until its socket closes. */
  trackConnection(connection: WsConnection): void {
    if (this.#connections.has(connection)) return;
    this.#connections.add(connection);
    connection.extra.socket.once("close", () => this.#connections.delete(connection));
  }

  async drain(parts: DrainParts, deadlineMs = DEFAULT_SHUTDOWN_DEADLINE_MS): Promise<DrainReport> {
    const started = performance.now();
    const deadline = Date.now() + deadlineMs;
    this.#draining = true;
    const closed = parts.server.listening
      ? new Promise<void>((resolve) => parts.server.close(() => resolve()))
      : Promise.resolve();
    parts.server.closeIdleConnections();
    parts.log.info(
      {
        requests: this.#inFlight.size,
        webSockets: parts.wsServer.clients.size,
        deadlineMs,
      },
      "draining: no new connections; ending subscriptions, letting requests finish",
    );
    parts.endSubscriptions();

    while (Date.now() < deadline) {
      this.#closeFinishedSockets(parts.wsServer);
      parts.server.closeIdleConnections();
      if (this.#inFlight.size === 0 && parts.wsServer.clients.size === 0) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const cutRequests = this.#inFlight.size;
    if (cutRequests > 0 || parts.wsServer.clients.size > 0) {
      parts.log.warn(
        { requests: cutRequests, webSockets: parts.wsServer.clients.size },
        "shutdown deadline reached: cutting what is left",
      );
    }
    await parts.stop();
    await closed;
    return { cutRequests, durationMs: Math.round(performance.now() - started) };
  }

  /** Closes (1001) every WebSocket with no operation running. */
  #closeFinishedSockets(wsServer: WebSocketServer): void {
    const busy = new Set<WebSocket>();
    for (const connection of this.#connections) {
      if (Object.keys(connection.subscriptions).length > 0) busy.add(connection.extra.socket);
    }
    for (const socket of wsServer.clients) {
      if (!busy.has(socket) && socket.readyState === socket.OPEN) {
        socket.close(WS_GOING_AWAY, WS_SHUTDOWN_REASON);
      }
    }
  }
}
