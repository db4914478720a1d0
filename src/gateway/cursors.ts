// Opaque connection cursors: base64url JSON tagged with the connection they belong to, so a
// cursor of one connection given to another is refused instead of misread.

import { invalid } from "../kvs/core/validation.ts";

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
