// /healthz: the process is up and its event loop answers (liveness: restart it when this fails).
// /readyz: this instance should get traffic (readiness): it is not draining for a shutdown, and
// KVS answers a ListStreams (MaxResults 1) with the gateway's credentials within a timeout. The
// probe's answer is reused for a few seconds and one probe runs at a time, so however often
// /readyz is polled it costs at most one KVS call per `cacheMs` (ListStreams allows 300 TPS
// per account).

import type { ServerResponse } from "node:http";
import { ListStreamsCommand } from "@aws-sdk/client-kinesis-video";
import { failureName } from "../kvs/core/call-reporting.ts";
import type { HttpRoute } from "./routes.ts";
import type { GatewayServices } from "./services.ts";

export const HEALTH_PATH = "/healthz";
export const READY_PATH = "/readyz";

const DEFAULT_CACHE_MS = 5_000;
const DEFAULT_TIMEOUT_MS = 2_000;

interface ProbeResult {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly error?: string;
  readonly at: number;
}

/** Whether the app is draining for a shutdown (it then reports not ready). */
export interface DrainState {
  readonly draining: boolean;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
  });
  response.end(JSON.stringify(body));
}

export function healthRoutes(services: GatewayServices, state: DrainState): HttpRoute[] {
  const cacheMs = services.options.readiness?.cacheMs ?? DEFAULT_CACHE_MS;
  const timeoutMs = services.options.readiness?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let last: ProbeResult | undefined;
  let running: Promise<ProbeResult> | undefined;

  async function probe(): Promise<ProbeResult> {
    const started = performance.now();
    try {
      await services.clients.control.send(new ListStreamsCommand({ MaxResults: 1 }), {
        abortSignal: AbortSignal.timeout(timeoutMs),
      });
      return { ok: true, latencyMs: Math.round(performance.now() - started), at: Date.now() };
    } catch (error) {
      const timedOut = error instanceof Error && /abort/i.test(error.name);
      return {
        ok: false,
        latencyMs: Math.round(performance.now() - started),
        error: timedOut ? `no answer within ${timeoutMs} ms` : failureName(error),
        at: Date.now(),
      };
    }
  }

  function upstream(): Promise<ProbeResult> {
    if (last !== undefined && Date.now() - last.at < cacheMs) return Promise.resolve(last);
    running ??= probe().then((result) => {
      last = result;
      running = undefined;
      return result;
    });
    return running;
  }

  return [
    {
      methods: ["GET", "HEAD"],
      path: HEALTH_PATH,
      handle: (_request, response) =>
        sendJson(response, 200, {
          status: "ok",
          mode: services.cluster ? "cluster" : "single",
          ...(services.cluster ? { cluster: services.cluster.status() } : {}),
        }),
    },
    {
      methods: ["GET", "HEAD"],
      path: READY_PATH,
      async handle(_request, response) {
        if (state.draining) {
          sendJson(response, 503, { status: "draining", checks: {} });
          return;
        }
        const kvs = await upstream();
        const checks = {
          kvs: { ok: kvs.ok, latencyMs: kvs.latencyMs, ...(kvs.error ? { error: kvs.error } : {}) },
        };
        // Redis is not a readiness condition: without it the instance serves on local limits.
        sendJson(response, kvs.ok ? 200 : 503, {
          status: kvs.ok ? "ready" : "unavailable",
          mode: services.cluster ? "cluster" : "single",
          checks,
          ...(services.cluster ? { cluster: await clusterView(services) } : {}),
        });
      },
    },
  ];
}

/** The cluster's state for /readyz: this instance's, and the fleet-wide counts Redis holds. */
async function clusterView(services: GatewayServices): Promise<unknown> {
  const cluster = services.cluster;
  if (!cluster) return undefined;
  const status = cluster.status();
  if (status.redis !== "ready") return status;
  try {
    const fleet = await Promise.race([
      cluster.fleetCounts(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("timeout")), 1000).unref(),
      ),
    ]);
    return { ...status, fleet };
  } catch {
    return status;
  }
}
