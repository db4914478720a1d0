// DateTime: ISO 8601 with milliseconds, so KVS timestamps keep their millisecond precision from
// the SDK's Date through JSON and back.

import { GraphQLError, Kind } from "graphql";
import { builder } from "./builder.ts";

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): Date {
  if (typeof value !== "string" || !ISO_8601.test(value)) {
    throw new GraphQLError(
      `DateTime must be an ISO 8601 string with a time zone, like "2024-01-17T11:23:56.421Z" (got ${JSON.stringify(value)})`,
    );
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new GraphQLError(`DateTime ${JSON.stringify(value)} is not a real instant`);
  }
  return date;
}

builder.scalarType("DateTime", {
  description:
    'An instant in ISO 8601 with milliseconds and a time zone, e.g. "2024-01-17T11:23:56.421Z". Outputs are always UTC with exactly three fractional digits; inputs may use an offset and any number of fractional digits (precision beyond milliseconds is dropped).',
  serialize: (value) => {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
      throw new GraphQLError("DateTime cannot represent a value that is not a valid Date");
    }
    return value.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral: (node) => {
    if (node.kind !== Kind.STRING)
      throw new GraphQLError("DateTime must be a string", { nodes: node });
    return parseDateTime(node.value);
  },
});
