// The operation a piece of code runs for: its request id and a logger bound to it. app.ts enters
// the scope for every HTTP request and every graphql-ws operation, so code far from the request
// (the KVS observer reporting a failed SDK call) logs under the right request id.

import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { Logger } from "./logger.ts";

export interface OperationScope {
  readonly requestId: string;
  readonly log: Logger;
}

const scope = new AsyncLocalStorage<OperationScope>();

export function runInOperation<T>(operation: OperationScope, run: () => T): T {
  return scope.run(operation, run);
}

export function currentOperation(): OperationScope | undefined {
  return scope.getStore();
}

/** A client's X-Request-Id is kept when it is a short token (it ends up in logs), else replaced. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === "string" && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
}

export const REQUEST_ID_HEADER = "x-request-id";
