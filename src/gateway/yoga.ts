// The Yoga instance: schema, per-operation context, error masking, CORS and GraphiQL.

import type { IncomingMessage, ServerResponse } from "node:http";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { GraphQLError } from "graphql";
import { createYoga, type YogaServerInstance, maskError as yogaMaskError } from "graphql-yoga";
import { KvsError } from "../kvs/core/errors.ts";
import { type ContextSource, createContext, type GatewayContext } from "./context.ts";
import { graphqlErrorTypeName } from "./schema/errors.ts";
import { schema } from "./schema/index.ts";
import type { GatewayServices } from "./services.ts";

export const GRAPHQL_PATH = "/graphql";

/** What the node:http and WebSocket integrations hand Yoga besides the Fetch request. */
export interface GatewayServerContext {
  req?: IncomingMessage;
  res?: ServerResponse;
  /** The HTTP upgrade request of a graphql-ws connection. */
  upgradeRequest?: IncomingMessage;
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

export function createGatewayYoga(services: GatewayServices): GatewayYoga {
  return createYoga<GatewayServerContext, GatewayContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    context: (initial): GatewayContext => {
      const source: ContextSource = {
        request: initial.request,
        upgradeRequest: initial.upgradeRequest,
      };
      return createContext(services, source);
    },
    maskedErrors: { maskError: maskGatewayError },
    cors: corsOptions(services.options.corsOrigins),
    graphiql: services.options.graphiql
      ? { title: "KVS GraphQL gateway", subscriptionsProtocol: "WS", defaultQuery: FIRST_QUERY }
      : false,
    // GraphiQL with its assets inlined: the default page loads them from a CDN, which fails
    // offline (kvs-local setups, CI).
    renderGraphiQL,
    landingPage: false,
  });
}
