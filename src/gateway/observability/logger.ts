// Structured logs (pino). One JSON object per line on stdout, the format log shippers read; on a
// terminal (`npm start` by hand) pino-pretty renders the same records as readable lines, in this
// process (no worker thread). LOG_FORMAT picks one explicitly.

import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger } from "pino";

import type { LogFormat, LogLevel } from "../../config.ts";

export interface LoggerSettings {
  level: LogLevel;
  /** "pretty" by default when stdout is a terminal, else "json". */
  format?: LogFormat | undefined;
  /** Where JSON lines go (default stdout); tests pass a stream to read them. */
  destination?: DestinationStream | undefined;
}

const BASE = { service: "kvs-graphql-gateway" };

export async function createLogger(settings: LoggerSettings): Promise<Logger> {
  const format = settings.format ?? (process.stdout.isTTY ? "pretty" : "json");
  const options = { level: settings.level, base: BASE, timestamp: pino.stdTimeFunctions.isoTime };
  if (format === "json" || settings.destination !== undefined) {
    return pino(options, settings.destination ?? pino.destination({ fd: 1, sync: false }));
  }
  const { default: pretty } = await import("pino-pretty");
  return pino(
    options,
    pretty({ sync: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,service" }),
  );
}

/**
 * The logger of a gateway built without one (tests, embedding): warnings and errors as JSON lines
 * on stderr, so a test run's output shows failures and not every operation.
 */
export function fallbackLogger(): Logger {
  return pino({ level: "warn", base: BASE }, pino.destination({ fd: 2, sync: true }));
}
