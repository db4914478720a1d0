// Fair shares of KVS's limits per principal. KVS throttles per stream and per account (e.g. 5
// GetMedia and 5 GetClip calls per second per stream, ClientLimitExceeded past them), so one
// client looping on operations would throttle everyone behind the gateway. Each principal gets:
// operations per window, upstream KVS calls per window (on top of the per-operation budget of
// budget.ts), concurrent clip downloads, and a share of a stream's private GetMedia sessions
// (enforced by the GetMedia fan-out, see fanout.ts). A refusal is a typed error carrying when
// to retry: GraphQL errors with extensions.code RATE_LIMITED and retryAfterMs (HTTP 429 with
// Retry-After when the whole request is refused), and 429 + Retry-After on download routes.
//
// The windows are counted by rate-limiter-flexible in process memory (RateLimiterMemory): each
// gateway process keeps its own counts. The counting store is chosen by `LimiterStore`, a
// factory given to createPrincipalLimits, so a fleet-wide store (RateLimiterRedis over a shared
// Redis) plugs in there without touching any caller.

import { createHash } from "node:crypto";
import { GraphQLError } from "graphql";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import { countRateLimited } from "../observability/metrics.ts";
import type { Principal } from "./authenticator.ts";

export interface PrincipalLimitSettings {
  /** GraphQL operations (HTTP requests and graphql-ws operations) per principal per window. */
  operationsPerWindow: number;
  /** Upstream KVS calls per principal per window, across all its operations. */
  upstreamCallsPerWindow: number;
  /** Length of the window, seconds. */
  windowSeconds: number;
  /** Clip downloads one principal may have running at once. */
  maxConcurrentDownloads: number;
  /** Private GetMedia sessions (starts other than NOW) one principal may hold per stream. */
  maxPrivateSessionsPerStream: number;
}

/**
 * Safe defaults: generous for a person or a dashboard, tight enough that one looping client can't
 * use up a stream's or account's KVS rate (one private session of the stream's two, so a second
 * principal can still read history).
 */
export const DEFAULT_PRINCIPAL_LIMITS: PrincipalLimitSettings = {
  operationsPerWindow: 300,
  upstreamCallsPerWindow: 1500,
  windowSeconds: 60,
  maxConcurrentDownloads: 4,
  maxPrivateSessionsPerStream: 1,
};

/** Which limit refused: also the `scope` label of kvs_gateway_rate_limited_total. */
export type LimitScope = "operations" | "kvs_calls" | "downloads" | "getmedia_sessions";

/**
 * Builds the limiter counting one scope's points per key over `duration` seconds. Memory by
 * default; pass e.g. `(options) => new RateLimiterRedis({ storeClient, ...options })` for
 * limits shared by every gateway process.
 */
export type LimiterStore = (options: {
  keyPrefix: string;
  points: number;
  duration: number;
}) => RateLimiterAbstract;

export const memoryLimiterStore: LimiterStore = (options) => new RateLimiterMemory(options);

/**
 * Cluster mode: windows counted in Redis, so a principal's share is the fleet's, not each
 * instance's; while Redis can't be asked, each instance counts in its own memory (the insurance
 * limiter) and goes back to Redis when it answers again.
 */
export function redisLimiterStore(client: unknown, keyPrefix: string): LimiterStore {
  return (options) =>
    new RateLimiterRedis({
      storeClient: client,
      useRedisPackage: true,
      ...options,
      keyPrefix: `${keyPrefix}limits:${options.keyPrefix}`,
      insuranceLimiter: new RateLimiterMemory(options),
    });
}

/**
 * A refusal by a per-principal limit, as a GraphQL error. `wholeRequest`: it refuses the whole
 * HTTP request, which is answered 429 with Retry-After; a field's refusal leaves the status alone
 * (the rest of the operation's data is still sent).
 */
export function rateLimitedError(
  scope: LimitScope,
  message: string,
  retryAfterMs: number,
  wholeRequest: boolean,
): GraphQLError {
  const ms = Math.max(1, Math.ceil(retryAfterMs));
  return new GraphQLError(message, {
    extensions: {
      code: "RATE_LIMITED",
      scope,
      retryAfterMs: ms,
      ...(wholeRequest
        ? { http: { status: 429, headers: { "retry-after": String(retryAfterSeconds(ms)) } } }
        : {}),
    },
  });
}

/** Retry-After is whole seconds; never 0 for a refusal. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** The key a principal's counts are kept under: anonymous callers are told apart by address. */
export function limitKey(principal: Principal, remoteAddress: string | undefined): string {
  return principal.id === "anonymous" ? `anonymous@${remoteAddress ?? "unknown"}` : principal.id;
}

/**
 * What a clip URL says about whom it was issued to: a digest of the limit key, so that a link
 * passed on does not show the API key id, the JWT subject or the client address.
 */
export function urlHolder(key: string): string {
  return createHash("sha256").update(key).digest("base64url").slice(0, 22);
}

/** A principal's upstream-call allowance for one operation (see UpstreamBudget). */
export interface UpstreamCallAllowance {
  /** Takes one call; a RATE_LIMITED GraphQL error once the principal's window is spent. */
  spend(): void;
}

export interface PrincipalLimits {
  readonly settings: PrincipalLimitSettings;
  /** Counts one operation; throws a RATE_LIMITED GraphQLError (HTTP 429) past the limit. */
  admitOperation(key: string): Promise<void>;
  /** The principal's upstream calls for one operation; refused at once if the window is spent. */
  upstreamCalls(key: string): Promise<UpstreamCallAllowance>;
  /** Takes a download slot, or says how long to wait; call the release once the download ends. */
  acquireDownload(
    key: string,
  ): { ok: true; release: () => void } | { ok: false; retryAfterMs: number };
}

/** How long a refused download should wait: downloads take seconds, so a few. */
const DOWNLOAD_RETRY_AFTER_MS = 2000;

export function createPrincipalLimits(
  settings: PrincipalLimitSettings,
  store: LimiterStore = memoryLimiterStore,
): PrincipalLimits {
  const operations = store({
    keyPrefix: "kvs-gw:operations",
    points: settings.operationsPerWindow,
    duration: settings.windowSeconds,
  });
  const calls = store({
    keyPrefix: "kvs-gw:kvs-calls",
    points: settings.upstreamCallsPerWindow,
    duration: settings.windowSeconds,
  });
  // Concurrency is a count of downloads this process is serving, so it stays in memory.
  const downloads = new Map<string, number>();

  const callsRefusal = (msBeforeNext: number, wholeRequest: boolean) => {
    countRateLimited("kvs_calls");
    return rateLimitedError(
      "kvs_calls",
      `You have used your ${settings.upstreamCallsPerWindow} Kinesis Video Streams calls per ${settings.windowSeconds} s; retry later.`,
      msBeforeNext,
      wholeRequest,
    );
  };

  return {
    settings,
    async admitOperation(key) {
      try {
        await operations.consume(key);
      } catch (refusal) {
        if (!(refusal instanceof RateLimiterRes)) throw refusal;
        countRateLimited("operations");
        throw rateLimitedError(
          "operations",
          `Too many operations: ${settings.operationsPerWindow} per ${settings.windowSeconds} s per client; retry later.`,
          refusal.msBeforeNext,
          true,
        );
      }
    },
    async upstreamCalls(key) {
      // The count is read once per operation and then kept here, so that resolvers can spend
      // synchronously; each call is still added to the shared count. Operations running at once
      // may together pass the window by at most their per-operation budgets.
      const state = await calls.get(key);
      let remaining = settings.upstreamCallsPerWindow - (state?.consumedPoints ?? 0);
      let msBeforeNext = state?.msBeforeNext ?? settings.windowSeconds * 1000;
      if (remaining <= 0) throw callsRefusal(msBeforeNext, true);
      return {
        spend() {
          if (remaining <= 0) throw callsRefusal(msBeforeNext, false);
          remaining--;
          calls.consume(key).then(
            (result) => {
              msBeforeNext = result.msBeforeNext;
            },
            (refusal: unknown) => {
              remaining = 0;
              if (refusal instanceof RateLimiterRes) msBeforeNext = refusal.msBeforeNext;
            },
          );
        },
      };
    },
    acquireDownload(key) {
      const running = downloads.get(key) ?? 0;
      if (running >= settings.maxConcurrentDownloads) {
        countRateLimited("downloads");
        return { ok: false, retryAfterMs: DOWNLOAD_RETRY_AFTER_MS };
      }
      downloads.set(key, running + 1);
      let released = false;
      return {
        ok: true,
        release() {
          if (released) return;
          released = true;
          const left = (downloads.get(key) ?? 1) - 1;
          if (left > 0) downloads.set(key, left);
          else downloads.delete(key);
        },
      };
    },
  };
}
