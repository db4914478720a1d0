// The SDL as committed in schema/schema.graphql: sorted, so diffs show real changes only.

import { lexicographicSortSchema, printSchema } from "graphql";
import { schema } from "./index.ts";

export function printGatewaySchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
