// Relay connections, built one way for every paged field: the page arguments (`first`, `after`),
// opaque cursors (base64url JSON tagged with the connection they belong to, so a cursor of one
// connection given to another is refused instead of misread) and the `pageInfo` of a page.
// Paging is forward only: KVS's NextTokens don't go back.

import type { ArgBuilder } from "@pothos/core";
import { invalid, validateIntRange } from "../../kvs/core/validation.ts";
import type { BuilderTypes } from "./builder.ts";

/** The largest page a connection serves: KVS's MaxResults for ListStreams and ListFragments. */
const MAX_PAGE_SIZE = 1000;
const DEFAULT_PAGE_SIZE = 100;

/** `first` and `after`, for a connection field's `args`. */
export function pageArgs(arg: ArgBuilder<BuilderTypes>) {
  return {
    first: arg.int({
      defaultValue: DEFAULT_PAGE_SIZE,
      description: `Page size, 1 to ${MAX_PAGE_SIZE}.`,
    }),
    after: arg.string(),
  };
}

/** The checked page size of `pageArgs` (InvalidArgument outside 1 to 1000). */
export function pageSize(first: number | null | undefined): number {
  return validateIntRange(first ?? DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, "first");
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/**
 * A connection page. `emptyEndCursor` is the end cursor of a page without edges that still has
 * more (a ListStreams page whose matches all lie further on).
 */
export function connectionPage<T>(
  edges: Edge<T>[],
  hasNextPage: boolean,
  emptyEndCursor: string | null = null,
) {
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? emptyEndCursor,
    },
  };
}

/** Longest cursor accepted; ours stay far below (a KVS NextToken is at most 4096 characters). */
const MAX_CURSOR_LENGTH = 8192;

export function encodeCursor(kind: string, payload: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ c: kind, ...payload })).toString("base64url");
}

/**
 * The payload of a cursor made by `encodeCursor(kind, …)`; InvalidArgument when the cursor is
 * malformed, of another connection, or fails `isPayload`.
 */
export function decodeCursor<T>(
  kind: string,
  cursor: string,
  isPayload: (value: Record<string, unknown>) => value is Record<string, unknown> & T,
  argument = "after",
): T {
  let value: unknown;
  try {
    if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor))
      throw new Error("format");
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid(argument, `${argument} is not a cursor of this connection`);
  }
  if (typeof value !== "object" || value === null) {
    throw invalid(argument, `${argument} is not a cursor of this connection`);
  }
  const record = value as Record<string, unknown>;
  if (record.c !== kind || !isPayload(record)) {
    throw invalid(argument, `${argument} is not a cursor of this connection`);
  }
  return record;
}
