/**
 * Signed, expiring gateway links (clip downloads, images). A link's token is an HMAC-SHA256 over a
 * kind tag ("kvs-clip/1", "kvs-image/1": a token of one kind never verifies as another), the key
 * id and every field the route needs, expiry included, so the route can refuse a forged, altered
 * or stale link before it touches KVS. Several keys may be configured so a key can be rotated
 * without breaking links already handed out: the first key signs, any key verifies.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface LinkSigningKey {
  id: string;
  secret: Uint8Array;
}

export type LinkTokenFailureReason = "malformed" | "unknown-key" | "bad-signature" | "expired";

/** A link that must be refused (HTTP 403). */
export class LinkTokenError extends Error {
  override readonly name = "LinkTokenError";
  readonly reason: LinkTokenFailureReason;

  constructor(reason: LinkTokenFailureReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** The signed fields of a link: strings and numbers, in a fixed order per kind. */
export type LinkFields = ReadonlyArray<string | number>;

export interface LinkSignature {
  keyId: string;
  /** base64url HMAC-SHA256. */
  signature: string;
}

const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const MIN_SECRET_BYTES = 32;
/** base64url of an HMAC-SHA256 (32 bytes), unpadded: exactly 43 characters. */
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function validatedKey(key: LinkSigningKey): LinkSigningKey {
  if (!KEY_ID_PATTERN.test(key.id)) {
    throw new Error(`clip signing key id "${key.id}" must match ${KEY_ID_PATTERN}`);
  }
  if (key.secret.byteLength < MIN_SECRET_BYTES) {
    throw new Error(`clip signing key "${key.id}" is shorter than ${MIN_SECRET_BYTES} bytes`);
  }
  return key;
}

function assertUniqueIds(keys: readonly LinkSigningKey[]): void {
  const ids = new Set<string>();
  for (const key of keys) {
    if (ids.has(key.id)) throw new Error(`clip signing key id "${key.id}" appears twice`);
    ids.add(key.id);
  }
}

export interface LinkSignerOptions {
  /** Newest first: the first key signs, every key verifies. */
  keys: readonly LinkSigningKey[];
  now?: () => number;
}

export class LinkSigner {
  readonly #keys: ReadonlyMap<string, Uint8Array>;
  readonly #signingKey: LinkSigningKey;
  readonly #now: () => number;

  constructor(options: LinkSignerOptions) {
    const [first] = options.keys;
    if (first === undefined) throw new Error("a link signer needs at least one key");
    options.keys.forEach(validatedKey);
    assertUniqueIds(options.keys);
    this.#signingKey = first;
    this.#keys = new Map(options.keys.map((key) => [key.id, key.secret]));
    this.#now = options.now ?? Date.now;
  }

  now(): number {
    return this.#now();
  }

  sign(kind: string, fields: LinkFields): LinkSignature {
    const keyId = this.#signingKey.id;
    return {
      keyId,
      signature: hmac(this.#signingKey.secret, kind, keyId, fields).toString("base64url"),
    };
  }

  /** Checks the signature in constant time, then the expiry. Throws LinkTokenError. */
  verify(kind: string, fields: LinkFields, signed: LinkSignature, expiresAtMs: number): void {
    const secret = this.#keys.get(signed.keyId);
    if (secret === undefined) {
      throw new LinkTokenError(
        "unknown-key",
        "the URL was signed with a key this gateway does not hold",
      );
    }
    // Node's base64url decoder skips characters it can't decode and ignores the spare bits of the
    // last one, so decoding first would accept altered signatures. The text is compared instead,
    // against the one canonical encoding, once its form is known to be right (which leaks nothing).
    if (
      !SIGNATURE_PATTERN.test(signed.signature) ||
      !timingSafeEqual(
        Buffer.from(signed.signature, "latin1"),
        Buffer.from(hmac(secret, kind, signed.keyId, fields).toString("base64url"), "latin1"),
      )
    ) {
      throw new LinkTokenError("bad-signature", "the URL's signature does not match its contents");
    }
    if (expiresAtMs <= this.#now()) {
      throw new LinkTokenError(
        "expired",
        `the URL expired at ${new Date(expiresAtMs).toISOString()}`,
      );
    }
  }
}

function hmac(secret: Uint8Array, kind: string, keyId: string, fields: LinkFields): Buffer {
  // A JSON array is an unambiguous encoding: no field can bleed into the next.
  return createHmac("sha256", secret)
    .update(JSON.stringify([kind, keyId, ...fields]))
    .digest();
}

/** Exactly one non-empty value of `name`, else "malformed". */
export function requiredParam(params: URLSearchParams, name: string): string {
  const values = params.getAll(name);
  if (values.length !== 1 || values[0] === undefined || values[0] === "") {
    throw new LinkTokenError("malformed", `the URL needs exactly one "${name}" parameter`);
  }
  return values[0];
}

/** An ISO 8601 instant parameter, as epoch ms. */
export function timestampParam(params: URLSearchParams, name: string): number {
  const text = requiredParam(params, name);
  const ms = Date.parse(text);
  if (!Number.isSafeInteger(ms)) {
    throw new LinkTokenError("malformed", `"${name}" is not an ISO 8601 timestamp`);
  }
  return ms;
}
