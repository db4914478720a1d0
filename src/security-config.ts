import { isLoopbackHost } from "./gateway/security/host-allowlist.ts";
// The security settings of config.ts: authentication, document limits, schema exposure, host
// checks and proxies, per-principal shares. Secure by default: against AWS the gateway refuses to
// start without an auth configuration unless AUTH=off says so explicitly; the embedded local demo
// may run without auth only while bound to loopback.

import type { ApiKeySetting, AuthSettings, JwtSettings } from "./gateway/security/authenticator.ts";
import { DEFAULT_DOCUMENT_LIMITS } from "./gateway/security/document-limits.ts";
import { TrustedProxies } from "./gateway/security/link-origin.ts";
import {
  DEFAULT_PRINCIPAL_LIMITS,
  type PrincipalLimitSettings,
} from "./gateway/security/principal-limits.ts";
import { DEFAULT_COMPLEXITY_LIMITS, type GatewaySecurity } from "./gateway/security/settings.ts";
import { STREAM_PATTERN } from "./gateway/security/stream-patterns.ts";
import {
  loadTrustedDocuments,
  type TrustedDocuments,
} from "./gateway/security/trusted-documents.ts";

/** The part of config.ts's Reader these settings use. */
export interface SettingsReader {
  readonly problems: string[];
  string(name: string): string | undefined;
  int(name: string, fallback: number, min: number, max: number): number;
  bool(name: string, fallback: boolean): boolean;
  url(name: string): string | undefined;
}

export interface SecuritySettings extends GatewaySecurity {
  /** Why auth is off, for the line printed at every start; undefined when it is on. */
  authOffReason: string | undefined;
}

function parseApiKeys(reader: SettingsReader): ApiKeySetting[] {
  const raw = reader.string("AUTH_API_KEYS");
  if (raw === undefined) return [];
  const keys: ApiKeySetting[] = [];
  for (const item of raw
    .split(";")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z0-9_-]{1,64}):([A-Za-z0-9+/=_.-]{24,512}):(.+)$/.exec(item);
    const streams = match?.[3]?.split(",").map((pattern) => pattern.trim()) ?? [];
    if (!match?.[1] || !match[2] || !streams.every((p) => STREAM_PATTERN.test(p))) {
      reader.problems.push(
        "AUTH_API_KEYS must be ID:KEY:PATTERNS entries separated by ';' (KEY at least 24 of A-Z a-z 0-9 + / = _ . -, PATTERNS stream-name patterns separated by ',', e.g. cam-*,lobby)",
      );
      return [];
    }
    keys.push({ id: match[1], key: match[2], streams });
  }
  return keys;
}

function parseJwt(reader: SettingsReader): JwtSettings | undefined {
  const secretText = reader.string("AUTH_JWT_SECRET");
  const jwksUrl = reader.url("AUTH_JWKS_URL");
  if (secretText === undefined && jwksUrl === undefined) return undefined;
  if (secretText !== undefined && jwksUrl !== undefined) {
    reader.problems.push("Set AUTH_JWT_SECRET or AUTH_JWKS_URL, not both");
  }
  const secret = secretText === undefined ? undefined : new TextEncoder().encode(secretText);
  if (secret !== undefined && secret.length < 32) {
    reader.problems.push("AUTH_JWT_SECRET must be at least 32 bytes");
  }
  const issuer = reader.string("AUTH_JWT_ISSUER");
  const audience = reader.string("AUTH_JWT_AUDIENCE");
  if (issuer === undefined || audience === undefined) {
    reader.problems.push("JWTs need AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE (both are checked)");
  }
  return {
    secret,
    jwksUrl,
    issuer: issuer ?? "",
    audience: audience ?? "",
    clockToleranceSeconds: reader.int("AUTH_JWT_CLOCK_SKEW_SECONDS", 30, 0, 600),
    streamsClaim: reader.string("AUTH_JWT_STREAMS_CLAIM") ?? "kvs_streams",
  };
}

/** Per-principal shares of KVS's limits (see principal-limits.ts). */
function parsePrincipalLimits(reader: SettingsReader): PrincipalLimitSettings {
  const d = DEFAULT_PRINCIPAL_LIMITS;
  return {
    windowSeconds: reader.int("RATE_LIMIT_WINDOW_SECONDS", d.windowSeconds, 1, 86_400),
    operationsPerWindow: reader.int("RATE_LIMIT_OPERATIONS", d.operationsPerWindow, 1, 10_000_000),
    upstreamCallsPerWindow: reader.int(
      "RATE_LIMIT_KVS_CALLS",
      d.upstreamCallsPerWindow,
      1,
      10_000_000,
    ),
    maxConcurrentDownloads: reader.int(
      "MAX_DOWNLOADS_PER_PRINCIPAL",
      d.maxConcurrentDownloads,
      1,
      10_000,
    ),
    maxPrivateSessionsPerStream: reader.int(
      "MAX_PRIVATE_GETMEDIA_SESSIONS_PER_PRINCIPAL",
      d.maxPrivateSessionsPerStream,
      0,
      1000,
    ),
  };
}

export function parseSecuritySettings(
  reader: SettingsReader,
  context: { mode: "local" | "aws"; host: string; graphiql: boolean },
): SecuritySettings {
  const explicitOff = reader.string("AUTH")?.toLowerCase() === "off";
  const authValue = reader.string("AUTH")?.toLowerCase();
  if (authValue !== undefined && authValue !== "on" && authValue !== "off") {
    reader.problems.push(`AUTH must be on or off (got "${authValue}")`);
  }
  const apiKeys = parseApiKeys(reader);
  const jwt = parseJwt(reader);
  const configured = apiKeys.length > 0 || jwt !== undefined;

  let auth: AuthSettings;
  let authOffReason: string | undefined;
  if (explicitOff) {
    auth = { mode: "off" };
    authOffReason =
      "AUTH=off: authentication is OFF; anyone who reaches the port sees every stream";
  } else if (configured) {
    auth = { mode: "on", apiKeys, jwt };
  } else if (context.mode === "local" && isLoopbackHost(context.host)) {
    auth = { mode: "off" };
    authOffReason =
      "authentication is off: the embedded local demo is bound to loopback and no AUTH_API_KEYS or AUTH_JWT_* is set";
  } else {
    auth = { mode: "on", apiKeys: [] };
    reader.problems.push(
      context.mode === "aws"
        ? "Against AWS the gateway needs authentication: set AUTH_API_KEYS and/or AUTH_JWT_SECRET or AUTH_JWKS_URL (with AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE), or AUTH=off to run without it"
        : `Bound to ${context.host} (not loopback), the gateway needs authentication: set AUTH_API_KEYS or AUTH_JWT_*, or AUTH=off`,
    );
  }

  // Schema exposure: on for local development, off against AWS unless asked for. GraphiQL is what
  // needs introspection, so GRAPHIQL=false (or NODE_ENV=production) turns the default off as well.
  const exposedByDefault =
    context.mode === "local" && context.graphiql && process.env.NODE_ENV !== "production";
  const allowedHosts = (reader.string("ALLOWED_HOSTS") ?? "")
    .split(",")
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean);

  return {
    auth,
    authOffReason,
    documentLimits: {
      maxBytes: reader.int(
        "GRAPHQL_MAX_DOCUMENT_BYTES",
        DEFAULT_DOCUMENT_LIMITS.maxBytes,
        256,
        16 * 1024 * 1024,
      ),
      maxTokens: reader.int("GRAPHQL_MAX_TOKENS", DEFAULT_DOCUMENT_LIMITS.maxTokens, 50, 1_000_000),
      maxAliases: reader.int("GRAPHQL_MAX_ALIASES", DEFAULT_DOCUMENT_LIMITS.maxAliases, 0, 100_000),
      maxDepth: reader.int("GRAPHQL_MAX_DEPTH", DEFAULT_DOCUMENT_LIMITS.maxDepth, 2, 1000),
    },
    complexity: {
      complexity: reader.int(
        "GRAPHQL_MAX_COMPLEXITY",
        DEFAULT_COMPLEXITY_LIMITS.complexity,
        10,
        10_000_000,
      ),
      depth: reader.int("GRAPHQL_MAX_DEPTH", DEFAULT_DOCUMENT_LIMITS.maxDepth, 2, 1000),
      breadth: reader.int("GRAPHQL_MAX_BREADTH", DEFAULT_COMPLEXITY_LIMITS.breadth, 1, 100_000),
    },
    exposure: {
      introspection: reader.bool("GRAPHQL_INTROSPECTION", exposedByDefault),
      suggestions: reader.bool("GRAPHQL_SUGGESTIONS", exposedByDefault),
    },
    maxBodyBytes: reader.int("HTTP_MAX_BODY_BYTES", 256 * 1024, 1024, 64 * 1024 * 1024),
    maxWebSocketMessageBytes: reader.int(
      "WS_MAX_MESSAGE_BYTES",
      256 * 1024,
      1024,
      64 * 1024 * 1024,
    ),
    allowedHosts,
    trustedProxies: parseTrustedProxies(reader),
    trustedDocuments: parseTrustedDocuments(reader),
    principalLimits: parsePrincipalLimits(reader),
  };
}

/** PERSISTED_OPERATIONS_FILE (and PERSISTED_OPERATIONS_ALLOW_ARBITRARY): trusted documents. */
function parseTrustedDocuments(reader: SettingsReader): TrustedDocuments | undefined {
  const file = reader.string("PERSISTED_OPERATIONS_FILE");
  const allowArbitrary = reader.bool("PERSISTED_OPERATIONS_ALLOW_ARBITRARY", false);
  if (file === undefined) {
    if (allowArbitrary)
      reader.problems.push("PERSISTED_OPERATIONS_ALLOW_ARBITRARY needs PERSISTED_OPERATIONS_FILE");
    return undefined;
  }
  try {
    return loadTrustedDocuments(file, allowArbitrary);
  } catch (error) {
    reader.problems.push(
      `PERSISTED_OPERATIONS_FILE must be a JSON object of id → GraphQL document: ${(error as Error).message}`,
    );
    return undefined;
  }
}

/** TRUSTED_PROXIES: IP addresses and CIDR blocks separated by ','; none by default. */
function parseTrustedProxies(reader: SettingsReader): string[] {
  const entries = (reader.string("TRUSTED_PROXIES") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  try {
    new TrustedProxies(entries);
  } catch (error) {
    reader.problems.push(
      `TRUSTED_PROXIES must be IP addresses or CIDR blocks separated by ',' (e.g. 10.0.0.0/8,::1): ${(error as Error).message}`,
    );
    return [];
  }
  return entries;
}
