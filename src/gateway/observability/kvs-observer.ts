// The gateway's KvsObserver: every SDK call counted by operation and outcome, failures logged with
// KVS's request id under the operation that made the call, cache lookups and GetMedia sessions.

import type { KvsCallReport, KvsObserver } from "../../kvs/core/observer.ts";
import type { Logger } from "./logger.ts";
import {
  cacheLookups,
  countRateLimited,
  getMediaSessions,
  kvsCallDuration,
  kvsCalls,
} from "./metrics.ts";
import { currentOperation } from "./operation-scope.ts";

/** Failures a caller expects and answers itself: logged at debug, not warn. */
const EXPECTED = new Set(["ResourceNotFoundException"]);

export function gatewayKvsObserver(log: Logger): KvsObserver {
  return {
    kvsCall(report: KvsCallReport) {
      kvsCalls.inc({
        service: report.service,
        operation: report.operation,
        outcome: report.outcome,
      });
      kvsCallDuration.observe({ operation: report.operation }, report.durationMs / 1000);
      if (report.outcome === "ok" || isAbort(report.error)) return;
      const operation = currentOperation();
      (operation?.log ?? log)[EXPECTED.has(report.outcome) ? "debug" : "warn"](
        {
          kvsOperation: report.operation,
          kvsRequestId: report.requestId ?? null,
          httpStatus: report.httpStatus ?? null,
          code: report.outcome,
          durationMs: Math.round(report.durationMs),
        },
        `KVS ${report.operation} failed: ${report.outcome}`,
      );
    },
    cacheLookup(cache, outcome) {
      cacheLookups.inc({ cache, outcome });
    },
    getMediaSessions(kind, delta) {
      getMediaSessions.inc({ kind }, delta);
    },
    getMediaRefused(cap) {
      // The per-stream cap protects KVS's connection limit; the owner share is a fair share.
      countRateLimited(cap === "owner" ? "getmedia_sessions" : "getmedia_stream_sessions");
    },
    getMediaReplayed() {
      cacheLookups.inc({ cache: "getmedia_replay", outcome: "hit" });
    },
  };
}

/** A call the gateway abandoned itself (the client left, a session was stopped). */
function isAbort(error: unknown): boolean {
  return (
    error instanceof Error && (error.name === "AbortError" || error.name === "RequestAbortedError")
  );
}
