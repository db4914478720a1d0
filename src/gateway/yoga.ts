// The Yoga instance: schema, per-operation context, error masking, CORS and GraphiQL.

import type { IncomingMessage, ServerResponse } from "node:http";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { type DocumentNode, GraphQLError } from "graphql";
import {
  createYoga,
  type Plugin,
  type YogaServerInstance,
  maskError as yogaMaskError,
} from "graphql-yoga";
import { LRUCache } from "lru-cache";
import { KvsError } from "../kvs/core/errors.ts";
import { type ContextSource, createContext, type GatewayContext } from "./context.ts";
import { useGraphiQLPage } from "./graphiql-page.ts";
import { useOperationObservability } from "./observability/operations.ts";
import { yogaLogger } from "./observability/yoga-logger.ts";
import { graphqlErrorTypeName } from "./schema/errors.ts";
import { schema } from "./schema/index.ts";
import { sharedFragmentEvent } from "./schema/live-fragments.ts";
import { authenticateRequest, unauthenticated } from "./security/authenticate-request.ts";
import type { Principal } from "./security/authenticator.ts";
import { useDocumentLimits } from "./security/document-limits.ts";
import { limitKey as principalLimitKey } from "./security/principal-limits.ts";
import { useSchemaExposure } from "./security/schema-exposure.ts";
import { useTrustedDocuments } from "./security/trusted-documents.ts";
import type { GatewayServices } from "./services.ts";
import { useSharedSubscriptionEvents } from "./shared-subscription-events.ts";

export const GRAPHQL_PATH = "/graphql";

/** What the node:http and WebSocket integrations hand Yoga besides the Fetch request. */
export interface GatewayServerContext {
  req?: IncomingMessage;
  res?: ServerResponse;
  /** The HTTP upgrade request of a graphql-ws connection. */
  upgradeRequest?: IncomingMessage;
  /** A graphql-ws connection's principal, authenticated once at connection_init. */
  principal?: Principal;
  /** The request's (or graphql-ws operation's) id, given by app.ts. */
  requestId?: string;
}

export type GatewayYoga = YogaServerInstance<GatewayServerContext, GatewayContext>;

const FIRST_QUERY = `# Streams and the newest fragments of the demo stream.
query FirstLook {
  streams(first: 10) {
    ... on StreamConnection {
      edges { node { name arn status createdAt } }
    }
    ... on KvsError { __typename code message }
  }
}
`;

/**
 * Typed KVS failures that reach a field without a result union (e.g. `node`) become GraphQL
 * errors whose extensions carry the same facts as the typed errors; anything else unexpected
 * stays masked as "Unexpected error.".
 */
export function maskGatewayError(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof KvsError) {
    return new GraphQLError(original.message, {
      nodes: error instanceof GraphQLError ? error.nodes : undefined,
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions: {
        code: original.code,
        type: graphqlErrorTypeName(original),
        retryable: original.retryable,
        requestId: original.requestId ?? null,
      },
    });
  }
  return yogaMaskError(error, message, isDev);
}

function corsOptions(origins: GatewayServices["options"]["corsOrigins"]) {
  if (origins === "*") return { origin: "*" };
  if (origins.length === 0) return false;
  return { origin: origins };
}

/** Parsed documents and parse failures are cached by their text; bound the caches by bytes. */
const DOCUMENT_CACHE_BYTES = 32 * 1024 * 1024;
const ERROR_CACHE_BYTES = 4 * 1024 * 1024;
/** A parsed document takes roughly this many bytes of heap per character of its text. */
const AST_BYTES_PER_CHARACTER = 40;

function parseCaches() {
  return {
    documentCache: new LRUCache<string, DocumentNode>({
      maxSize: DOCUMENT_CACHE_BYTES,
      sizeCalculation: (_document, text) => Math.max(1, text.length * AST_BYTES_PER_CHARACTER),
      ttl: 60 * 60 * 1000,
    }),
    errorCache: new LRUCache<string, object>({
      maxSize: ERROR_CACHE_BYTES,
      sizeCalculation: (_error, text) => Math.max(1, text.length * 2 + 1024),
      ttl: 60 * 60 * 1000,
    }),
    validationCache: true,
  };
}

export function createGatewayYoga(services: GatewayServices): GatewayYoga {
  const security = services.security;
  const graphiql = services.options.graphiql
    ? useGraphiQLPage(GRAPHQL_PATH, {
        title: "KVS GraphQL gateway",
        subscriptionsProtocol: "WS",
        defaultQuery: FIRST_QUERY,
      })
    : undefined;
  const plugins: Plugin[] = [
    // Before the CSRF check, as Yoga's own GraphiQL plugin: the page is a plain navigation.
    ...(graphiql ? [graphiql] : []),
    // It counts and logs every operation, those the plugins below refuse included.
    useOperationObservability(services.log),
    // A cross-site page can send "simple" requests (form posts, GETs) without a CORS preflight:
    // require a JSON (non-simple) content type or this header, and so no query runs from them.
    useCSRFPrevention({ requestHeaders: ["x-graphql-csrf", "x-graphql-yoga-csrf"] }),
    // Before anything reads the document: it swaps a persisted operation's id for its text.
    ...(security.trustedDocuments ? [useTrustedDocuments(security.trustedDocuments)] : []),
    useDocumentLimits(security.documentLimits, services.onDocumentRefused),
    useSchemaExposure(security.exposure),
    ...(services.options.sharedSubscriptionEvents === false
      ? []
      : [useSharedSubscriptionEvents(sharedFragmentEvent)]),
  ];
  return createYoga<GatewayServerContext, GatewayContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    plugins,
    parserAndValidationCache: parseCaches(),
    context: async (initial): Promise<GatewayContext> => {
      // graphql-ws operations carry the connection's principal; HTTP requests authenticate here.
      const principal =
        initial.principal ?? (await authenticateRequest(services.authenticator, initial.request));
      // A WebSocket outlives its credential: operations started after expiry are refused.
      if (principal.expiresAtMs !== undefined && principal.expiresAtMs <= Date.now()) {
        throw unauthenticated("Your credential has expired; connect again with a fresh one.");
      }
      // The principal's fair share, before any resolver runs: a refusal is RATE_LIMITED (HTTP
      // 429 with Retry-After; over graphql-ws, this operation's error).
      const limitKey = principalLimitKey(
        principal,
        (initial.req ?? initial.upgradeRequest)?.socket.remoteAddress,
      );
      await services.limits.admitOperation(limitKey);
      const source: ContextSource = {
        request: initial.request,
        upgradeRequest: initial.upgradeRequest,
        connection: initial.req ?? initial.upgradeRequest,
        principal,
        requestId: initial.requestId,
        limitKey,
        upstreamCalls: await services.limits.upstreamCalls(limitKey),
      };
      return createContext(services, source);
    },
    maskedErrors: { maskError: maskGatewayError },
    cors: corsOptions(services.options.corsOrigins),
    // GraphiQL (with its assets inlined: the default page loads them from a CDN, which fails
    // offline) is served by graphiql-page.ts, compressed and with a CSP.
    graphiql: false,
    landingPage: false,
    logging: yogaLogger(services.log),
  });
}
