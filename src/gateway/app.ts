// The gateway process's HTTP side: one node:http server serving Yoga (HTTP + SSE) on /graphql,
// graphql-ws on the same path, and the plain routes of routes.ts. It tracks its sockets so that
// stop() ends open SSE streams, WebSockets and keep-alive connections instead of waiting on them;
// drain() is the graceful stop of lifecycle.ts. Every request and graphql-ws operation gets a
// request id (X-Request-Id) and runs in its operation scope (observability/operation-scope.ts).

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type DocumentNode, type ExecutionResult, GraphQLError } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { GatewayContext } from "./context.ts";
import { applyCors } from "./cors.ts";
import { HEALTH_PATH, healthRoutes, READY_PATH } from "./health.ts";
import { type DrainReport, GatewayLifecycle } from "./lifecycle.ts";
import { METRICS_PATH, metricsRoute } from "./observability/metrics-route.ts";
import {
  type OperationScope,
  REQUEST_ID_HEADER,
  requestIdFrom,
  runInOperation,
} from "./observability/operation-scope.ts";
import { gatewayRoutes, type HttpRoute, routeMatches } from "./routes.ts";
import {
  AuthenticationError,
  credentialsFromConnectionParams,
  type Principal,
} from "./security/authenticator.ts";
import { trustedQueryOf } from "./security/trusted-documents.ts";
import { createGatewayServices, type GatewayOptions, type GatewayServices } from "./services.ts";
import { expandSharedPayloadsOn, sharedNextPayload } from "./shared-ws-frames.ts";
import { createGatewayYoga, type GatewayYoga, GRAPHQL_PATH } from "./yoga.ts";

export interface GatewayAddress {
  /** Base URL, e.g. "http://127.0.0.1:4000". */
  url: string;
  /** GraphQL over HTTP and SSE, and GraphiQL in a browser. */
  graphqlUrl: string;
  /** GraphQL over WebSocket (graphql-transport-ws). */
  wsUrl: string;
}

export interface GatewayApp {
  readonly services: GatewayServices;
  readonly yoga: GatewayYoga;
  readonly server: Server;
  /** Serves an extra HTTP route; routes are matched before /graphql, in registration order. */
  addRoute(route: HttpRoute): void;
  start(port?: number, host?: string): Promise<GatewayAddress>;
  /** Closes WebSockets, SSE streams and connections, then the shared services. */
  stop(): Promise<void>;
  /**
   * The graceful stop (lifecycle.ts): no new connections, subscriptions end with a final
   * ShuttingDown event, requests in flight get until `deadlineMs` (default 25 s), then stop().
   */
  drain(deadlineMs?: number): Promise<DrainReport>;
  readonly lifecycle: GatewayLifecycle;
}

/** Served while draining too: orchestrators poll them to see the instance go. */
const DRAIN_EXEMPT_PATHS = new Set([HEALTH_PATH, READY_PATH, METRICS_PATH]);

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  response.end(JSON.stringify(body));
}

export function createGatewayApp(options: GatewayOptions): GatewayApp {
  const services = createGatewayServices(options);
  const yoga = createGatewayYoga(services);
  const lifecycle = new GatewayLifecycle();
  const routes: HttpRoute[] = [
    ...gatewayRoutes(services),
    ...healthRoutes(services, lifecycle),
    ...(options.metrics?.onGatewayPort ? [metricsRoute(options.metrics.bearerToken)] : []),
  ];
  const sockets = new Set<Socket>();
  const security = services.security;
  const hosts = services.hosts;
  const scopeFor = (requestId: string): OperationScope => ({
    requestId,
    log: services.log.child({ reqId: requestId }),
  });

  async function serveRoute(
    route: HttpRoute,
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
  ) {
    const method = request.method ?? "GET";
    applyCors(request, response, options.corsOrigins, route.methods);
    if (method === "OPTIONS") {
      response.writeHead(204).end();
      return;
    }
    try {
      await route.handle(request, response, url);
    } catch (error) {
      services.log.error({ err: error, path: url.pathname }, "route failed");
      if (!response.headersSent)
        sendJson(response, 500, { error: "InternalError", message: "Unexpected error." });
      else response.destroy();
    }
  }

  const server = createServer((request, response) => {
    // Yoga builds the request URL from Host; one that can't be part of a URL must be the
    // client's mistake (400), not a server failure.
    if (!isUsableHost(request.headers.host)) {
      sendJson(response, 400, { error: "BadRequest", message: "Invalid Host header." });
      return;
    }
    // A DNS-rebinding page reaches us under its own name: answer only the names we serve.
    if (!hosts.allows(request.headers.host, request.socket.localAddress)) {
      sendJson(response, 421, {
        error: "MisdirectedRequest",
        message: "This gateway does not serve that Host name.",
      });
      return;
    }
    const url = new URL(request.url ?? "/", "http://gateway.invalid");
    const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
    response.setHeader(REQUEST_ID_HEADER, requestId);
    if (!lifecycle.admit(request, response, DRAIN_EXEMPT_PATHS.has(url.pathname))) return;
    const method = request.method ?? "GET";
    const route = routes.find((candidate) => routeMatches(candidate, method, url.pathname));
    runInOperation(scopeFor(requestId), () => {
      if (route) {
        void serveRoute(route, request, response, url);
        return;
      }
      const refusal = bodyRefusal(request, security.maxBodyBytes);
      if (refusal) {
        sendJson(response, refusal.status, { error: refusal.error, message: refusal.message });
        request.resume();
        return;
      }
      void yoga(request, response, { req: request, res: response, requestId });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  const wsServer = new WebSocketServer({
    server,
    path: GRAPHQL_PATH,
    // ws would accept 100 MiB messages; past this it closes the socket with 1009.
    maxPayload: security.maxWebSocketMessageBytes,
    verifyClient: (info: { req: IncomingMessage }) =>
      hosts.allows(info.req.headers.host, info.req.socket.localAddress),
  });
  // graphql-ws throws on a client message of a type only servers send (next, error), which closes
  // the socket 4500 Internal Server Error: the client's fault reported as the gateway's. Registered
  // before useServer's, this listener sees the message first and closes such a socket 4400, as
  // graphql-ws does for any other invalid message (its own later 4500 close is then a no-op).
  wsServer.on("connection", (socket) => {
    socket.on("message", (data) => {
      if (isServerOnlyMessage(String(data))) socket.close(4400, "Invalid message received");
    });
  });
  // Before graphql-ws's own listener: shared subscription results go out as their one JSON text.
  wsServer.on("connection", expandSharedPayloadsOn);
  const principals = new WeakMap<object, Principal>();
  const graphqlWs = useServer(
    {
      onNext: (_context, _id, _payload, _args, result) =>
        sharedNextPayload(result) as ExecutionResult | undefined,
      // The credential is checked once, at connection_init; a refusal closes with 4403.
      onConnect: async (context) => {
        try {
          const principal = await services.authenticator.authenticate(
            credentialsFromConnectionParams(context.connectionParams),
          );
          principals.set(context.extra, principal);
          return true;
        } catch (error) {
          if (error instanceof AuthenticationError) return false;
          throw error;
        }
      },
      execute: (args) =>
        runInOperation(scopeOf(args.contextValue), () =>
          (args.rootValue as Enveloped).execute(args),
        ),
      subscribe: (args) =>
        runInOperation(scopeOf(args.contextValue), () =>
          (args.rootValue as Enveloped).subscribe(args),
        ),
      onSubscribe: (context, _id, payload) => {
        lifecycle.trackConnection(context);
        const requestId = randomUUID();
        return runInOperation(scopeFor(requestId), async () => {
          const enveloped = yoga.getEnveloped({
            req: context.extra.request,
            upgradeRequest: context.extra.request,
            socket: context.extra.socket,
            params: payload,
            principal: principals.get(context.extra),
            requestId,
          });
          // Yoga's onParams (where HTTP swaps persisted ids for documents) is not run here.
          const trusted = security.trustedDocuments;
          const query = trusted === undefined ? payload.query : trustedQueryOf(trusted, payload);
          if (query instanceof GraphQLError) return [query];
          let document: DocumentNode;
          try {
            document = enveloped.parse(query);
          } catch (error) {
            // graphql-ws closes the whole socket (4500) when onSubscribe throws, ending every
            // other operation on it; returned errors reach this operation alone.
            if (error instanceof GraphQLError) return [error];
            throw error;
          }
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length > 0) return errors;
          let contextValue: unknown;
          try {
            contextValue = await enveloped.contextFactory();
          } catch (error) {
            // A refusal (RATE_LIMITED, an expired credential) ends this operation, not the socket.
            if (error instanceof GraphQLError) return [error];
            throw error;
          }
          return {
            schema: enveloped.schema,
            operationName: payload.operationName,
            document,
            variableValues: payload.variables,
            contextValue,
            rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
          };
        });
      },
    },
    wsServer,
  );

  let stopping: Promise<void> | undefined;

  const app: GatewayApp = {
    services,
    yoga,
    server,
    lifecycle,
    addRoute(route) {
      routes.push(route);
    },
    start(port = 0, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const address = server.address() as AddressInfo;
          const hostname = address.family === "IPv6" ? `[${address.address}]` : address.address;
          const url = `http://${hostname}:${address.port}`;
          resolve({
            url,
            graphqlUrl: `${url}${GRAPHQL_PATH}`,
            wsUrl: `ws://${hostname}:${address.port}${GRAPHQL_PATH}`,
          });
        });
      });
    },
    stop() {
      stopping ??= (async () => {
        for (const client of wsServer.clients) client.close(1001, "Gateway shutting down");
        await graphqlWs.dispose();
        const closed = server.listening
          ? new Promise<void>((resolve) => server.close(() => resolve()))
          : Promise.resolve();
        for (const socket of sockets) socket.destroy();
        await closed;
        await yoga.dispose();
        await services.close();
      })();
      return stopping;
    },
    drain(deadlineMs) {
      return lifecycle.drain(
        {
          server,
          wsServer,
          endSubscriptions: () => services.getMedia.shutDown(),
          stop: () => app.stop(),
          log: services.log,
        },
        deadlineMs,
      );
    },
  };
  return app;
}

/** The scope of a graphql-ws operation, from the context its onSubscribe built. */
function scopeOf(contextValue: unknown): OperationScope {
  const context = contextValue as GatewayContext;
  return { requestId: context.requestId, log: context.log };
}

type Enveloped = ReturnType<GatewayYoga["getEnveloped"]>;

/** Why a request body is refused before Yoga reads it, or undefined to go on. */
function bodyRefusal(
  request: IncomingMessage,
  maxBytes: number,
): { status: number; error: string; message: string } | undefined {
  const length = request.headers["content-length"];
  const chunked = request.headers["transfer-encoding"] !== undefined;
  if (length === undefined) {
    return chunked
      ? { status: 411, error: "LengthRequired", message: "Send the body with Content-Length." }
      : undefined;
  }
  if (!/^\d+$/.test(length) || Number(length) > maxBytes) {
    return {
      status: 413,
      error: "PayloadTooLarge",
      message: `Request bodies are limited to ${maxBytes} bytes.`,
    };
  }
  return undefined;
}

/** Whether a graphql-ws message from a client has a type only a server may send. */
function isServerOnlyMessage(text: string): boolean {
  // Cheap test first: most messages are subscribe/complete/ping and mention neither type.
  if (!text.includes('"next"') && !text.includes('"error"')) return false;
  try {
    const message: unknown = JSON.parse(text);
    const type = (message as { type?: unknown } | null)?.type;
    return type === "next" || type === "error";
  } catch {
    return false;
  }
}

function isUsableHost(host: string | undefined): boolean {
  if (host === undefined) return true;
  try {
    const url = new URL(`http://${host}`);
    return url.host !== "" && url.pathname === "/" && url.username === "" && url.search === "";
  } catch {
    return false;
  }
}
