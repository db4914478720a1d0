// The one Pothos builder: plugins, context and scalar typings. Types live in the domain files.

import SchemaBuilder from "@pothos/core";
import ComplexityPlugin from "@pothos/plugin-complexity";
import ErrorsPlugin from "@pothos/plugin-errors";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import { GraphQLError } from "graphql";
import type { GatewayContext } from "../context.ts";
import { countTypedError } from "../observability/metrics.ts";
import { forbiddenStream } from "../security/stream-access.ts";

export interface GatewaySchemaTypes {
  Context: GatewayContext;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
  };
  AuthScopes: {
    /** The principal may read the stream of this name. */
    stream: string;
  };
}

/** The builder's resolved type parameters, for helpers typed over field or argument builders. */
export type BuilderTypes = PothosSchemaTypes.ExtendDefaultTypes<GatewaySchemaTypes>;

export const builder = new SchemaBuilder<GatewaySchemaTypes>({
  // Errors before scope-auth, so an authorization failure (NotAuthorized) becomes the field's
  // typed union member like any other KVS error.
  plugins: [ErrorsPlugin, ScopeAuthPlugin, ComplexityPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (context) => ({
      stream: (name: string) => context.principal.streams.allows(name),
    }),
    unauthorizedError: () => forbiddenStream(),
    // Stream is authorized on the type too, so every field of a Stream reached any way is checked.
    runScopesOnType: true,
  },
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 10,
    limit: (context) => context.services.security.complexity,
    complexityError: (kind, result) => {
      const [value, max] = {
        Complexity: [result.complexity, result.maxComplexity],
        Depth: [result.depth, result.maxDepth],
        Breadth: [result.breadth, result.maxBreadth],
      }[kind];
      const limit = kind.toLowerCase();
      return new GraphQLError(`The operation's ${limit} is ${value}; at most ${max} is allowed.`, {
        extensions: { code: "DOCUMENT_LIMIT_EXCEEDED", limit, http: { status: 400 } },
      });
    },
  },
  errors: {
    // Result unions list exactly the failures of their KVS operation: see errors.ts' errorsOf.
    defaultTypes: [],
    directResult: true,
    // Typed errors are data, not `errors`: counted here (kvs_gateway_graphql_errors_total).
    onResolvedError: countTypedError,
  },
  relay: {
    cursorType: "String",
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    nodesQueryOptions: false,
  },
});
