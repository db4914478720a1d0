// Environment → validated settings. Every problem is reported at once, naming the variable, so
// a misconfigured gateway fails at start instead of at the first request.

import { randomBytes } from "node:crypto";
import { isLoopbackHost } from "./gateway/security/host-allowlist.ts";
import type { ClipOptions } from "./kvs/clips/services.ts";
import type { StreamCacheOptions } from "./kvs/core/stream-cache.ts";
import { DEFAULT_REPLAY_BUFFER_ENTRIES, type GetMediaOptions } from "./kvs/getmedia/fanout.ts";
import type { ImageOptions } from "./kvs/images/services.ts";
import type { FragmentWindowsOptions } from "./kvs/timeline/fragment-windows.ts";
import { parseSecuritySettings, type SecuritySettings } from "./security-config.ts";

export type LogFormat = "json" | "pretty";
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LocalBackendSettings {
  /** Durable storage for the embedded kvs-local; undefined with `inMemory`. */
  dataDir: string | undefined;
  inMemory: boolean;
  /** Port of the embedded kvs-local (0 = any free port). */
  port: number;
  demoStream: boolean;
}

export type KvsSettings =
  | { mode: "local"; region: string; local: LocalBackendSettings }
  | { mode: "aws"; region: string; endpoint: string | undefined };

export interface ClipSigningKey {
  id: string;
  secret: Buffer;
}

export interface Config {
  port: number;
  host: string;
  kvs: KvsSettings;
  /** Attempts per SDK call (the SDK retries 5xx, throttling and network errors). */
  kvsMaxAttempts: number;
  endpointCache: { ttlMs: number; max: number };
  /** DescribeStream / ListStreams answers shared across requests. */
  streamCache: StreamCacheOptions;
  /** Settled ListFragments windows shared across requests. */
  fragmentWindows: FragmentWindowsOptions;
  /** Allowed browser origins; "*" for any; empty for same-origin only. */
  corsOrigins: "*" | string[];
  /** Newest first (never empty): clips are signed with the first and verified with any. */
  clipSigningKeys: ClipSigningKey[];
  /** True when CLIP_SIGNING_KEYS was unset and a random key was made for this process. */
  clipSigningKeysGenerated: boolean;
  graphiql: boolean;
  /**
   * Public base URL of the gateway for links it hands out (clip URLs). Unset: the request's Host
   * header, which the client chooses (a warning in AWS mode).
   */
  publicUrl: string | undefined;
  /** Clip downloads: GetClip pacing, the clip cache, URL lifetimes. */
  clips: ClipOptions;
  /** Stream.images: the GetImages cache, the start offset, link lifetimes. */
  images: ImageOptions;
  /** Live subscriptions: per-subscriber buffer and private GetMedia sessions per stream. */
  getMedia: GetMediaOptions;
  /** SHARED_SUBSCRIPTION_EVENTS: one execution per live fragment for like subscribers (default on). */
  sharedSubscriptionEvents: boolean;
  /** Authentication, document limits, schema exposure, hosts and proxies. */
  security: SecuritySettings;
  /** LOG_LEVEL, and LOG_FORMAT (undefined: pretty on a terminal, JSON lines otherwise). */
  logging: { level: LogLevel; format: LogFormat | undefined };
  metrics: MetricsSettings;
  /** How long SIGTERM lets requests in flight (clip downloads) finish before cutting them. */
  shutdownDeadlineMs: number;
  /** Cluster mode (REDIS_URL set): several instances share sessions and budgets through Redis. */
  cluster: ClusterSettings | undefined;
  /** Settings that work but are risky in this mode; printed at start. */
  warnings: string[];
}

export interface ClusterSettings {
  /** REDIS_URL: redis:// or rediss://. */
  url: string;
  /** REDIS_KEY_PREFIX: the same on every instance of one fleet, different between fleets. */
  keyPrefix: string;
  /** REDIS_LEASE_TTL_MS: a dead lease holder's streams get a new holder after about this long. */
  leaseTtlMs: number;
}

/**
 * Where /metrics is served. With METRICS_PORT: on a listener of its own (METRICS_HOST, loopback by
 * default) and not on the gateway's port. Otherwise on the gateway's port, but only if it is bound
 * to loopback or METRICS_TOKEN is set; else nowhere (main.ts says so at start).
 */
export interface MetricsSettings {
  /** METRICS_TOKEN: required as `Authorization: Bearer …` wherever /metrics is served. */
  bearerToken: string | undefined;
  /** METRICS_PORT: a separate listener; undefined for none. */
  port: number | undefined;
  host: string;
  /** Whether the gateway's own port serves /metrics. */
  onGatewayPort: boolean;
}

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.problems = problems;
    this.name = "ConfigError";
  }
}

type Env = Readonly<Record<string, string | undefined>>;

class Reader {
  readonly problems: string[] = [];

  private readonly env: Env;

  constructor(env: Env) {
    this.env = env;
  }

  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (["1", "true", "yes", "on"].includes(raw)) return true;
    if (["0", "false", "no", "off"].includes(raw)) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  url(name: string): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    try {
      const url = new URL(raw);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("protocol");
      return raw.replace(/\/+$/, "");
    } catch {
      this.problems.push(`${name} must be an http(s) URL (got "${raw}")`);
      return undefined;
    }
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name} must be one of ${allowed.join(", ")} (got "${raw}")`);
    return fallback;
  }
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

function parseCors(reader: Reader): "*" | string[] {
  const raw = reader.string("CORS_ORIGINS");
  if (raw === undefined) return [];
  if (raw === "*") return "*";
  const origins: string[] = [];
  for (const item of raw
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    try {
      const url = new URL(item);
      if (url.origin === "null" || url.origin !== item.replace(/\/$/, ""))
        throw new Error("not an origin");
      origins.push(url.origin);
    } catch {
      reader.problems.push(
        `CORS_ORIGINS entries must be origins like https://app.example.com (got "${item}")`,
      );
    }
  }
  return origins;
}

/**
 * `CLIP_SIGNING_KEYS=id1:base64secret,id2:base64secret`, newest first. Unset: one random key, so
 * clip links work out of the box, but only until a restart and only on this process.
 */
function parseClipKeys(reader: Reader): { keys: ClipSigningKey[]; generated: boolean } {
  const raw = reader.string("CLIP_SIGNING_KEYS");
  if (raw === undefined)
    return { keys: [{ id: "ephemeral", secret: randomBytes(32) }], generated: true };
  const keys: ClipSigningKey[] = [];
  const ids = new Set<string>();
  for (const item of raw
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/_-]+={0,2})$/.exec(item);
    const secret = match?.[2] === undefined ? undefined : Buffer.from(match[2], "base64");
    if (!match?.[1] || !secret || secret.length < 32) {
      reader.problems.push(
        "CLIP_SIGNING_KEYS must be a comma-separated list of KEYID:BASE64SECRET with secrets of at least 32 bytes",
      );
      return { keys: [], generated: false };
    }
    if (ids.has(match[1]))
      reader.problems.push(`CLIP_SIGNING_KEYS lists key id "${match[1]}" twice`);
    ids.add(match[1]);
    keys.push({ id: match[1], secret });
  }
  if (keys.length === 0) reader.problems.push("CLIP_SIGNING_KEYS lists no key");
  return { keys, generated: false };
}

const MB = 1024 * 1024;

function parseCluster(reader: Reader): ClusterSettings | undefined {
  const url = reader.string("REDIS_URL");
  const keyPrefix = reader.string("REDIS_KEY_PREFIX") ?? "kvs-gateway:";
  const leaseTtlMs = reader.int("REDIS_LEASE_TTL_MS", 3000, 300, 60_000);
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") throw new Error("protocol");
  } catch {
    reader.problems.push(`REDIS_URL must be a redis:// or rediss:// URL (got "${url}")`);
  }
  if (!/^[\w:.-]{1,64}$/.test(keyPrefix)) {
    reader.problems.push("REDIS_KEY_PREFIX must be 1-64 letters, digits, _ : . or -");
  }
  return { url, keyPrefix, leaseTtlMs };
}

function parseMetrics(reader: Reader, gatewayHost: string): MetricsSettings {
  const bearerToken = reader.string("METRICS_TOKEN");
  if (bearerToken !== undefined && !/^[\x21-\x7e]{16,256}$/.test(bearerToken)) {
    reader.problems.push(
      "METRICS_TOKEN must be 16 to 256 printable characters without spaces (a random token)",
    );
  }
  const rawPort = reader.string("METRICS_PORT");
  const port = rawPort === undefined ? undefined : reader.int("METRICS_PORT", 0, 0, 65535);
  return {
    bearerToken,
    port,
    host: reader.string("METRICS_HOST") ?? "127.0.0.1",
    onGatewayPort: port === undefined && (bearerToken !== undefined || isLoopbackHost(gatewayHost)),
  };
}

function parseClipOptions(reader: Reader): ClipOptions {
  const directory = reader.string("CLIP_CACHE_DIR");
  return {
    getClipRatePerSecond: reader.int("CLIP_GETCLIP_RATE_PER_SECOND", 1, 1, 25),
    queuePerStream: reader.int("CLIP_QUEUE_PER_STREAM", 50, 0, 10_000),
    cache: {
      maxMemoryBytes: reader.int("CLIP_CACHE_MEMORY_MB", 256, 1, 1_000_000) * MB,
      ttlMs: reader.int("CLIP_CACHE_TTL_SECONDS", 3600, 1, 7 * 24 * 3600) * 1000,
      ...(directory === undefined
        ? {}
        : {
            spillDirectory: directory,
            maxSpillBytes: reader.int("CLIP_CACHE_DIR_MAX_MB", 2048, 1, 100_000_000) * MB,
          }),
    },
    immutability: {
      serverTimestampSettleMs:
        reader.int("CLIP_SETTLE_SERVER_SECONDS", 300, 0, 7 * 24 * 3600) * 1000,
      producerTimestampSettleMs:
        reader.int("CLIP_SETTLE_PRODUCER_SECONDS", 3600, 0, 7 * 24 * 3600) * 1000,
    },
    maxExpiresInSeconds: reader.int(
      "CLIP_URL_MAX_EXPIRES_SECONDS",
      7 * 24 * 3600,
      1,
      365 * 24 * 3600,
    ),
  };
}

function parseImageOptions(reader: Reader): ImageOptions {
  return {
    cache: {
      maxBytes: reader.int("IMAGES_CACHE_MEMORY_MB", 64, 1, 1_000_000) * MB,
      ttlMs: reader.int("IMAGES_CACHE_TTL_SECONDS", 3600, 1, 7 * 24 * 3600) * 1000,
    },
    startOffsetMs: reader.int("IMAGES_START_OFFSET_MS", 2000, 0, 20_000),
    maxExpiresInSeconds: reader.int("IMAGES_URL_MAX_EXPIRES_SECONDS", 86_400, 1, 7 * 24 * 3600),
  };
}

export function loadConfig(env: Env = process.env): Config {
  const reader = new Reader(env);
  const endpoint = reader.url("AWS_ENDPOINT_URL_KINESIS_VIDEO") ?? reader.url("KVS_ENDPOINT");
  const region = reader.string("AWS_REGION") ?? reader.string("AWS_DEFAULT_REGION");
  if (region !== undefined && !REGION.test(region)) {
    reader.problems.push(`AWS_REGION must look like us-east-1 (got "${region}")`);
  }
  const requested = reader.oneOf("KVS_BACKEND", ["auto", "local", "aws"] as const, "auto");
  const mode =
    requested === "auto"
      ? endpoint !== undefined || region !== undefined
        ? "aws"
        : "local"
      : requested;

  let kvs: KvsSettings;
  if (mode === "aws") {
    if (region === undefined) {
      reader.problems.push(
        "AWS_REGION is required when the gateway talks to AWS (KVS_BACKEND=aws or an endpoint is set)",
      );
    }
    kvs = { mode, region: region ?? "us-east-1", endpoint };
  } else {
    const inMemory = reader.bool("KVS_LOCAL_IN_MEMORY", false);
    kvs = {
      mode,
      region: region ?? "us-east-1",
      local: {
        inMemory,
        dataDir: inMemory ? undefined : (reader.string("KVS_LOCAL_DATA_DIR") ?? ".data/kvs-local"),
        port: reader.int("KVS_LOCAL_PORT", 0, 0, 65535),
        demoStream: reader.bool("KVS_LOCAL_DEMO_STREAM", true),
      },
    };
  }

  const clipKeys = parseClipKeys(reader);
  const host = reader.string("HOST") ?? "127.0.0.1";
  const graphiql = reader.bool("GRAPHIQL", true);
  const logFormat = reader.string("LOG_FORMAT");
  const config: Config = {
    port: reader.int("PORT", 4000, 0, 65535),
    host,
    kvs,
    kvsMaxAttempts: reader.int("KVS_MAX_ATTEMPTS", 3, 1, 10),
    endpointCache: {
      ttlMs: reader.int("ENDPOINT_CACHE_TTL_SECONDS", 45 * 60, 1, 24 * 60 * 60) * 1000,
      max: reader.int("ENDPOINT_CACHE_MAX", 10_000, 1, 1_000_000),
    },
    streamCache: {
      ttlMs: reader.int("STREAM_CACHE_TTL_SECONDS", 5, 0, 3600) * 1000,
      max: reader.int("STREAM_CACHE_MAX", 10_000, 1, 1_000_000),
    },
    fragmentWindows: {
      windowMs: reader.int("FRAGMENT_CACHE_WINDOW_MINUTES", 60, 1, 24 * 60) * 60_000,
      maxWindows: reader.int("FRAGMENT_CACHE_WINDOWS", 10_000, 0, 1_000_000),
      maxBytes: reader.int("FRAGMENT_CACHE_MB", 64, 1, 1_000_000) * MB,
    },
    corsOrigins: parseCors(reader),
    clipSigningKeys: clipKeys.keys,
    clipSigningKeysGenerated: clipKeys.generated,
    graphiql,
    publicUrl: reader.url("PUBLIC_URL"),
    clips: parseClipOptions(reader),
    images: parseImageOptions(reader),
    getMedia: {
      subscriberBuffer: reader.int("GETMEDIA_SUBSCRIBER_BUFFER", 64, 1, 10_000),
      maxPrivateSessionsPerStream: reader.int("GETMEDIA_PRIVATE_SESSIONS_PER_STREAM", 2, 0, 100),
      replayBufferEntries: reader.int(
        "GETMEDIA_REPLAY_BUFFER_ENTRIES",
        DEFAULT_REPLAY_BUFFER_ENTRIES,
        0,
        10_000,
      ),
    },
    sharedSubscriptionEvents: reader.bool("SHARED_SUBSCRIPTION_EVENTS", true),
    security: parseSecuritySettings(reader, { mode, host, graphiql }),
    logging: {
      level: reader.oneOf("LOG_LEVEL", LOG_LEVELS, "info"),
      format:
        logFormat === undefined
          ? undefined
          : reader.oneOf("LOG_FORMAT", ["json", "pretty"] as const, "json"),
    },
    metrics: parseMetrics(reader, host),
    shutdownDeadlineMs: reader.int("SHUTDOWN_TIMEOUT_SECONDS", 25, 0, 3600) * 1000,
    cluster: parseCluster(reader),
    warnings: [],
  };
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  config.warnings = warningsFor(config);
  return config;
}

/**
 * Against AWS the gateway is a deployment, not a local toy: links built from a client-chosen Host
 * header, or signed with a key that dies with the process, are worth a loud word at start.
 */
function warningsFor(config: Config): string[] {
  const warnings: string[] = [];
  if (config.cluster !== undefined && config.clipSigningKeysGenerated) {
    warnings.push(
      "REDIS_URL is set but CLIP_SIGNING_KEYS is not: each instance signs clip links with its own random key, so a link issued by one instance is refused by the others. Set the same CLIP_SIGNING_KEYS on every instance.",
    );
  }
  if (config.kvs.mode !== "aws") return warnings;
  if (config.publicUrl === undefined) {
    warnings.push(
      "PUBLIC_URL is not set: clip download links are built from each request's Host header, which the client chooses (a forged Host yields links to another site). Set PUBLIC_URL to the gateway's public base URL.",
    );
  }
  if (config.clipSigningKeysGenerated && config.cluster === undefined) {
    warnings.push(
      "CLIP_SIGNING_KEYS is not set: clip links are signed with a random key and die with this process.",
    );
  }
  return warnings;
}
