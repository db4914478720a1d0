// Who is asking. A request carries an API key (`x-api-key` header) or a JWT (`Authorization:
// Bearer …`); over graphql-ws the same credential travels in connectionParams (`apiKey`, or
// `authorization` / `token`) and is checked once, at connection_init. JWTs are verified with jose
// against a shared secret (HS256/384/512) or a JWKS URL, with issuer, audience, expiry and a clock
// tolerance checked. With AUTH=off every caller is one anonymous principal that sees every stream.

import { createHash, timingSafeEqual } from "node:crypto";
import { createRemoteJWKSet, type JWTPayload, errors as joseErrors, jwtVerify } from "jose";
import { STREAM_PATTERN, StreamPatterns } from "./stream-patterns.ts";

export interface Principal {
  /** "api-key:<id>", "jwt:<sub>" or "anonymous": what rate limits and logs key on. */
  readonly id: string;
  readonly streams: StreamPatterns;
  /** When the credential stops being valid (a JWT's exp), epoch ms; undefined for API keys. */
  readonly expiresAtMs?: number | undefined;
}

export interface ApiKeySetting {
  id: string;
  /** The key itself; only its SHA-256 is kept. */
  key: string;
  streams: string[];
}

export interface JwtSettings {
  /** A shared secret for HS256/HS384/HS512 (at least 32 bytes), or… */
  secret?: Uint8Array | undefined;
  /** …a JWKS URL for asymmetric keys. */
  jwksUrl?: string | undefined;
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
  /** The claim holding stream patterns: an array of strings or one space-separated string. */
  streamsClaim: string;
}

export type AuthSettings =
  | { mode: "off" }
  | { mode: "on"; apiKeys: ApiKeySetting[]; jwt?: JwtSettings | undefined };

/** A missing, malformed, unknown, expired or otherwise refused credential. */
export class AuthenticationError extends Error {
  override readonly name = "AuthenticationError";
}

export const ANONYMOUS: Principal = { id: "anonymous", streams: StreamPatterns.ALL };

/** Where a credential was found: HTTP headers or graphql-ws connectionParams. */
export interface Credentials {
  apiKey?: string | undefined;
  /** A bearer token, without "Bearer ". */
  bearer?: string | undefined;
}

export function credentialsFromHeaders(get: (name: string) => string | null | undefined) {
  const authorization = get("authorization") ?? undefined;
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  return { apiKey: get("x-api-key") ?? undefined, bearer };
}

export function credentialsFromConnectionParams(params: unknown): Credentials {
  if (typeof params !== "object" || params === null) return {};
  const read = (name: string): string | undefined => {
    const value: unknown = Reflect.get(params, name);
    return typeof value === "string" ? value : undefined;
  };
  const authorization = read("authorization") ?? read("Authorization");
  return {
    apiKey: read("apiKey") ?? read("x-api-key"),
    bearer: /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1] ?? read("token"),
  };
}

interface ConfiguredKey {
  id: string;
  hash: Buffer;
  streams: StreamPatterns;
}

const sha256 = (text: string): Buffer => createHash("sha256").update(text).digest();
/** Longest credential looked at; anything longer is refused unread. */
const MAX_CREDENTIAL_LENGTH = 8192;

export class Authenticator {
  readonly settings: AuthSettings;
  readonly #keys: readonly ConfiguredKey[];
  readonly #jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(settings: AuthSettings) {
    this.settings = settings;
    this.#keys =
      settings.mode === "on"
        ? settings.apiKeys.map((key) => ({
            id: key.id,
            hash: sha256(key.key),
            streams: new StreamPatterns(key.streams),
          }))
        : [];
    const jwksUrl = settings.mode === "on" ? settings.jwt?.jwksUrl : undefined;
    this.#jwks = jwksUrl === undefined ? undefined : createRemoteJWKSet(new URL(jwksUrl));
  }

  get enabled(): boolean {
    return this.settings.mode === "on";
  }

  async authenticate(credentials: Credentials): Promise<Principal> {
    if (this.settings.mode === "off") return ANONYMOUS;
    const { apiKey, bearer } = credentials;
    if (apiKey !== undefined) return this.#apiKey(apiKey);
    if (bearer !== undefined) return this.#jwt(bearer, this.settings.jwt);
    throw new AuthenticationError(
      "Authentication required: send an API key (x-api-key) or a JWT (Authorization: Bearer …).",
    );
  }

  #apiKey(key: string): Principal {
    if (key.length <= MAX_CREDENTIAL_LENGTH) {
      const hash = sha256(key);
      // Every configured key is compared (in constant time), so timing tells nothing.
      let found: ConfiguredKey | undefined;
      for (const candidate of this.#keys) {
        if (timingSafeEqual(candidate.hash, hash)) found = candidate;
      }
      if (found) return { id: `api-key:${found.id}`, streams: found.streams };
    }
    throw new AuthenticationError("Unknown API key.");
  }

  async #jwt(token: string, settings: JwtSettings | undefined): Promise<Principal> {
    if (settings === undefined) throw new AuthenticationError("JWTs are not accepted here.");
    if (token.length > MAX_CREDENTIAL_LENGTH) throw new AuthenticationError("JWT too long.");
    let payload: JWTPayload;
    try {
      const options = {
        issuer: settings.issuer,
        audience: settings.audience,
        clockTolerance: settings.clockToleranceSeconds,
        requiredClaims: ["exp"],
      };
      if (settings.secret !== undefined) {
        ({ payload } = await jwtVerify(token, settings.secret, {
          ...options,
          algorithms: ["HS256", "HS384", "HS512"],
        }));
      } else if (this.#jwks !== undefined) {
        ({ payload } = await jwtVerify(token, this.#jwks, {
          ...options,
          algorithms: ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"],
        }));
      } else {
        throw new AuthenticationError("JWTs are not accepted here.");
      }
    } catch (error) {
      if (error instanceof AuthenticationError) throw error;
      throw new AuthenticationError(jwtFailure(error));
    }
    const streams = streamPatternsOf(payload[settings.streamsClaim]);
    if (streams === undefined) {
      throw new AuthenticationError(
        `The JWT's ${settings.streamsClaim} claim must list stream patterns (an array of strings or one space-separated string).`,
      );
    }
    return {
      id: `jwt:${typeof payload.sub === "string" ? payload.sub : "(no sub)"}`,
      streams,
      expiresAtMs: typeof payload.exp === "number" ? payload.exp * 1000 : undefined,
    };
  }
}

function jwtFailure(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "The JWT has expired.";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return `The JWT's ${error.claim} claim is not accepted.`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return "The JWT's signature does not verify.";
  }
  return "The JWT is not valid.";
}

function streamPatternsOf(claim: unknown): StreamPatterns | undefined {
  const list =
    typeof claim === "string"
      ? claim.split(/\s+/).filter(Boolean)
      : Array.isArray(claim) && claim.every((item) => typeof item === "string")
        ? (claim as string[])
        : undefined;
  if (list === undefined || list.length > 100 || !list.every((p) => STREAM_PATTERN.test(p))) {
    return undefined;
  }
  return new StreamPatterns(list);
}
