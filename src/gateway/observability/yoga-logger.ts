// Yoga's own log lines (its logger interface takes console-style arguments) through pino.

import { inspect } from "node:util";
import type { YogaLogger } from "graphql-yoga";
import type { Logger } from "./logger.ts";
import { currentOperation } from "./operation-scope.ts";

type Level = "debug" | "info" | "warn" | "error";

function forward(log: Logger, level: Level) {
  return (...args: unknown[]) => {
    const target = currentOperation()?.log ?? log;
    const error = args.find((arg): arg is Error => arg instanceof Error);
    const text = args
      .filter((arg) => !(arg instanceof Error))
      .map((arg) => (typeof arg === "string" ? arg : inspect(arg, { depth: 3 })))
      .join(" ");
    if (error) target[level]({ err: error, source: "yoga" }, text || error.message);
    else target[level]({ source: "yoga" }, text);
  };
}

export function yogaLogger(log: Logger): YogaLogger {
  return {
    debug: forward(log, "debug"),
    info: forward(log, "info"),
    warn: forward(log, "warn"),
    error: forward(log, "error"),
  };
}
