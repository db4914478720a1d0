// A Yoga (envelop) plugin that counts and logs every GraphQL operation, over HTTP, SSE and
// graphql-ws alike (graphql-ws runs through Yoga's enveloped parse/validate/execute/subscribe):
// refused documents (parse and validation failures), executions and their errors by code, and
// open subscriptions. Log lines carry the operation's request id (operation-scope.ts).

import {
  type DocumentNode,
  type ExecutionResult,
  GraphQLError,
  getOperationAST,
  type OperationTypeNode,
} from "graphql";
import { isAsyncIterable, type Plugin } from "graphql-yoga";
import { KvsError } from "../../kvs/core/errors.ts";
import type { Logger } from "./logger.ts";
import {
  graphqlErrors,
  graphqlOperationDuration,
  graphqlOperations,
  openSubscriptions,
} from "./metrics.ts";
import { currentOperation } from "./operation-scope.ts";

type OperationType = OperationTypeNode | "unknown";

function operationTypeOf(document: DocumentNode, operationName: string | null | undefined) {
  return getOperationAST(document, operationName)?.operation ?? "unknown";
}

/** The code an error is counted under (see kvs_gateway_graphql_errors_total). */
export function errorCode(error: GraphQLError, fallback: string): string {
  const code = error.extensions?.code;
  if (typeof code === "string") return code;
  const original = error.originalError;
  if (original instanceof KvsError) return original.code;
  if (original !== undefined && !(original instanceof GraphQLError)) return "INTERNAL_SERVER_ERROR";
  return fallback;
}

/** Counts and logs the errors of one result; returns their codes. */
function recordErrors(
  log: Logger,
  errors: readonly GraphQLError[] | undefined,
  fallback: string,
): string[] {
  const codes: string[] = [];
  for (const error of errors ?? []) {
    const code = errorCode(error, fallback);
    codes.push(code);
    graphqlErrors.inc({ kind: "graphql", code });
    if (code === "INTERNAL_SERVER_ERROR") {
      // Masked for the client; the stack is only here.
      log.error({ err: error.originalError ?? error, path: error.path }, "unexpected error");
    }
  }
  return codes;
}

function logOf(fallback: Logger): Logger {
  return currentOperation()?.log ?? fallback;
}

export function useOperationObservability(fallbackLog: Logger): Plugin {
  /** A document refused before execution: counted as an operation with outcome "error". */
  const refused = (type: OperationType, errors: readonly GraphQLError[], fallback: string) => {
    const log = logOf(fallbackLog);
    graphqlOperations.inc({ type, outcome: "error" });
    const codes = recordErrors(log, errors, fallback);
    log.info({ type, outcome: "refused", errors: codes }, "graphql operation refused");
  };

  const finished = (
    type: OperationType,
    operationName: string | undefined,
    result: ExecutionResult,
    startedMs: number,
  ) => {
    const log = logOf(fallbackLog);
    const durationMs = performance.now() - startedMs;
    const codes = recordErrors(log, result.errors, "GRAPHQL_EXECUTION_FAILED");
    graphqlOperations.inc({ type, outcome: codes.length > 0 ? "error" : "ok" });
    if (type !== "subscription") graphqlOperationDuration.observe({ type }, durationMs / 1000);
    log.info(
      {
        type,
        operationName: operationName ?? null,
        durationMs: Math.round(durationMs),
        outcome: codes.length > 0 ? "error" : "ok",
        ...(codes.length > 0 ? { errors: codes } : {}),
      },
      "graphql operation",
    );
  };

  return {
    onParse() {
      return ({ result }) => {
        if (result instanceof GraphQLError) refused("unknown", [result], "GRAPHQL_PARSE_FAILED");
        else if (result instanceof Error) refused("unknown", [], "GRAPHQL_PARSE_FAILED");
      };
    },
    onValidate({ params }) {
      return ({ valid, result }) => {
        if (valid) return;
        const type = operationTypeOf(params.documentAST, undefined);
        const errors = result.map((error) =>
          error instanceof GraphQLError ? error : new GraphQLError(error.message),
        );
        refused(type, errors, "GRAPHQL_VALIDATION_FAILED");
      };
    },
    onExecute({ args }) {
      const started = performance.now();
      const type = operationTypeOf(args.document, args.operationName);
      const name = args.operationName ?? undefined;
      return {
        onExecuteDone({ result }) {
          // Incremental delivery (@defer/@stream) is not enabled in this schema.
          if (!isAsyncIterable(result)) finished(type, name, result, started);
        },
      };
    },
    onSubscribe({ args }) {
      const started = performance.now();
      const name = args.operationName ?? undefined;
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) {
            finished("subscription", name, result, started);
            return undefined;
          }
          const log = logOf(fallbackLog);
          graphqlOperations.inc({ type: "subscription", outcome: "ok" });
          openSubscriptions.inc();
          log.info({ type: "subscription", operationName: name ?? null }, "subscription started");
          return {
            onNext({ result: event }) {
              recordErrors(log, event.errors, "GRAPHQL_EXECUTION_FAILED");
            },
            onEnd() {
              openSubscriptions.dec();
              log.info(
                {
                  type: "subscription",
                  operationName: name ?? null,
                  durationMs: Math.round(performance.now() - started),
                },
                "subscription ended",
              );
            },
          };
        },
        onSubscribeError({ error }) {
          const log = logOf(fallbackLog);
          graphqlOperations.inc({ type: "subscription", outcome: "error" });
          log.error({ err: error }, "subscription failed to start");
        },
      };
    },
  };
}
