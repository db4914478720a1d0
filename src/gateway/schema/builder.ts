// The one Pothos builder: plugins, context and scalar typings. Types live in the domain files.

import SchemaBuilder from "@pothos/core";
import ErrorsPlugin from "@pothos/plugin-errors";
import RelayPlugin from "@pothos/plugin-relay";
import type { GatewayContext } from "../context.ts";

export interface GatewaySchemaTypes {
  Context: GatewayContext;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
  };
}

/** The builder's resolved type parameters, for helpers typed over field or argument builders. */
export type BuilderTypes = PothosSchemaTypes.ExtendDefaultTypes<GatewaySchemaTypes>;

export const builder = new SchemaBuilder<GatewaySchemaTypes>({
  plugins: [ErrorsPlugin, RelayPlugin],
  defaultFieldNullability: false,
  errors: {
    // Result unions list exactly the failures of their KVS operation: see errors.ts' errorsOf.
    defaultTypes: [],
    directResult: true,
  },
  relay: {
    cursorType: "String",
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    nodesQueryOptions: false,
  },
});
