import { createHmac, timingSafeEqual } from "node:crypto";
import { isTimestampType, TIMESTAMP_TYPES, type TimestampType } from "../core/fragments.ts";

/**
 * Signed clip download URLs. The token is an HMAC-SHA256 over everything the download route needs
 * to call GetClip (stream ARN, selector type, range) plus the expiry and the key id, so the route can
 * refuse a forged, altered or stale URL before it touches KVS. Several keys may be configured so a
 * key can be rotated without breaking URLs already handed out: the first key signs, any key verifies.
 */

/**
 * How the download route assembles a grant's range. Without one, the grant is a single GetClip
 * (a part's link, or a range that fits one GetClip). "whole": every part's GetClip, one after
 * another, stitched into one fragmented MP4. "timelapse": the same GetClips, key frames only,
 * played `speed` times faster.
 */
export type ClipAssembly = { kind: "whole" } | { kind: "timelapse"; speed: number };

/** Timelapse speeds a link may carry: 2× up to a day in a minute and a half (1000×). */
export const TIMELAPSE_SPEED = { min: 2, max: 1000 } as const;

/** What a download URL grants: one GetClip of this stream, selector and range, until `expiresAtMs`. */
export interface ClipGrant {
  streamArn: string;
  timestampType: TimestampType;
  /** Epoch milliseconds. */
  startMs: number;
  /** Epoch milliseconds. */
  endMs: number;
  /** Epoch milliseconds. */
  expiresAtMs: number;
  /** Absent: one GetClip of the range. */
  assembly?: ClipAssembly | undefined;
  /**
   * Whom the URL was issued to (the gateway's principal key): downloads are capped per holder.
   * Signed, so a URL can't be re-labelled to escape its holder's cap.
   */
  holder?: string | undefined;
}

export interface SignedClipGrant extends ClipGrant {
  keyId: string;
  /** base64url HMAC-SHA256. */
  signature: string;
}

export interface ClipSigningKey {
  id: string;
  secret: Uint8Array;
}

export type ClipTokenFailureReason = "malformed" | "unknown-key" | "bad-signature" | "expired";

/** A download URL that must be refused (HTTP 403). */
export class ClipTokenError extends Error {
  override readonly name = "ClipTokenError";
  readonly reason: ClipTokenFailureReason;

  constructor(reason: ClipTokenFailureReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const MIN_SECRET_BYTES = 32;
/** base64url of an HMAC-SHA256 (32 bytes), unpadded: exactly 43 characters. */
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const TOKEN_VERSION = "kvs-clip/1";

/** URL query parameter names; the route and the schema both go through these helpers. */
const PARAM = {
  stream: "stream",
  timestampType: "timestampType",
  start: "start",
  end: "end",
  expires: "expires",
  keyId: "kid",
  signature: "sig",
  assembly: "assemble",
  speed: "speed",
  holder: "holder",
} as const;

function validatedKey(key: ClipSigningKey): ClipSigningKey {
  if (!KEY_ID_PATTERN.test(key.id)) {
    throw new Error(`clip signing key id "${key.id}" must match ${KEY_ID_PATTERN}`);
  }
  if (key.secret.byteLength < MIN_SECRET_BYTES) {
    throw new Error(`clip signing key "${key.id}" is shorter than ${MIN_SECRET_BYTES} bytes`);
  }
  return key;
}

function assertUniqueIds(keys: readonly ClipSigningKey[]): void {
  const ids = new Set<string>();
  for (const key of keys) {
    if (ids.has(key.id)) throw new Error(`clip signing key id "${key.id}" appears twice`);
    ids.add(key.id);
  }
}

export interface ClipSignerOptions {
  /** Newest first: the first key signs, every key verifies. */
  keys: readonly ClipSigningKey[];
  now?: () => number;
}

export class ClipSigner {
  readonly #keys: ReadonlyMap<string, Uint8Array>;
  readonly #signingKey: ClipSigningKey;
  readonly #now: () => number;

  constructor(options: ClipSignerOptions) {
    const [first] = options.keys;
    if (first === undefined) throw new Error("ClipSigner needs at least one key");
    options.keys.forEach(validatedKey);
    assertUniqueIds(options.keys);
    this.#signingKey = first;
    this.#keys = new Map(options.keys.map((key) => [key.id, key.secret]));
    this.#now = options.now ?? Date.now;
  }

  sign(grant: ClipGrant): SignedClipGrant {
    const keyId = this.#signingKey.id;
    const signature = hmac(this.#signingKey.secret, keyId, grant).toString("base64url");
    return { ...grant, keyId, signature };
  }

  /** Checks the signature in constant time, then the expiry. Throws ClipTokenError. */
  verify(signed: SignedClipGrant): ClipGrant {
    const secret = this.#keys.get(signed.keyId);
    if (secret === undefined) {
      throw new ClipTokenError(
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
        Buffer.from(hmac(secret, signed.keyId, signed).toString("base64url"), "latin1"),
      )
    ) {
      throw new ClipTokenError("bad-signature", "the URL's signature does not match its contents");
    }
    if (signed.expiresAtMs <= this.#now()) {
      throw new ClipTokenError("expired", `the URL expired at ${iso(signed.expiresAtMs)}`);
    }
    const { streamArn, timestampType, startMs, endMs, expiresAtMs, assembly, holder } = signed;
    return {
      streamArn,
      timestampType,
      startMs,
      endMs,
      expiresAtMs,
      ...(assembly === undefined ? {} : { assembly }),
      ...(holder === undefined ? {} : { holder }),
    };
  }

  /** Verifies the grant carried by a download URL's query string. */
  verifyParams(params: URLSearchParams): ClipGrant {
    return this.verify(grantFromParams(params));
  }
}

function hmac(secret: Uint8Array, keyId: string, grant: ClipGrant): Buffer {
  // A JSON array is an unambiguous encoding: no field can bleed into the next.
  const message = JSON.stringify([
    TOKEN_VERSION,
    keyId,
    grant.streamArn,
    grant.timestampType,
    grant.startMs,
    grant.endMs,
    grant.expiresAtMs,
    // Appended only when present, so single-GetClip links keep the message (and links) they had.
    ...assemblyFields(grant.assembly),
    ...(grant.holder === undefined ? [] : ["holder", grant.holder]),
  ]);
  return createHmac("sha256", secret).update(message).digest();
}

function assemblyFields(assembly: ClipAssembly | undefined): Array<string | number> {
  if (assembly === undefined) return [];
  return assembly.kind === "whole" ? ["whole"] : ["timelapse", assembly.speed];
}

export function grantToParams(signed: SignedClipGrant): URLSearchParams {
  const assembly = signed.assembly;
  return new URLSearchParams([
    [PARAM.stream, signed.streamArn],
    [PARAM.timestampType, signed.timestampType],
    [PARAM.start, iso(signed.startMs)],
    [PARAM.end, iso(signed.endMs)],
    ...(assembly === undefined ? [] : [[PARAM.assembly, assembly.kind]]),
    ...(assembly?.kind === "timelapse" ? [[PARAM.speed, String(assembly.speed)]] : []),
    ...(signed.holder === undefined ? [] : [[PARAM.holder, signed.holder]]),
    [PARAM.expires, iso(signed.expiresAtMs)],
    [PARAM.keyId, signed.keyId],
    [PARAM.signature, signed.signature],
  ]);
}

/** The `assemble` (and `speed`) parameters; absent means one GetClip. */
function assemblyFromParams(params: URLSearchParams): ClipAssembly | undefined {
  if (!params.has(PARAM.assembly)) {
    if (params.has(PARAM.speed))
      throw new ClipTokenError("malformed", `"${PARAM.speed}" needs "${PARAM.assembly}"`);
    return undefined;
  }
  const kind = required(params, PARAM.assembly);
  if (kind === "whole") {
    if (params.has(PARAM.speed))
      throw new ClipTokenError("malformed", `"${PARAM.speed}" is for timelapse links only`);
    return { kind };
  }
  if (kind !== "timelapse") {
    throw new ClipTokenError("malformed", `"${PARAM.assembly}" must be whole or timelapse`);
  }
  const text = required(params, PARAM.speed);
  const speed = Number(text);
  if (!/^\d{1,4}$/.test(text) || speed < TIMELAPSE_SPEED.min || speed > TIMELAPSE_SPEED.max) {
    throw new ClipTokenError(
      "malformed",
      `"${PARAM.speed}" must be an integer from ${TIMELAPSE_SPEED.min} to ${TIMELAPSE_SPEED.max}`,
    );
  }
  return { kind, speed };
}

/** Reads a grant from a query string; anything missing or unparsable is "malformed". */
export function grantFromParams(params: URLSearchParams): SignedClipGrant {
  const streamArn = required(params, PARAM.stream);
  const timestampType = required(params, PARAM.timestampType);
  if (!isTimestampType(timestampType)) {
    throw new ClipTokenError(
      "malformed",
      `${PARAM.timestampType} must be one of ${TIMESTAMP_TYPES.join(", ")}`,
    );
  }
  return {
    streamArn,
    timestampType,
    startMs: timestampParam(params, PARAM.start),
    endMs: timestampParam(params, PARAM.end),
    expiresAtMs: timestampParam(params, PARAM.expires),
    assembly: assemblyFromParams(params),
    holder: params.get(PARAM.holder) ?? undefined,
    keyId: required(params, PARAM.keyId),
    signature: required(params, PARAM.signature),
  };
}

function required(params: URLSearchParams, name: string): string {
  const values = params.getAll(name);
  if (values.length !== 1 || values[0] === undefined || values[0] === "") {
    throw new ClipTokenError("malformed", `the URL needs exactly one "${name}" parameter`);
  }
  return values[0];
}

function timestampParam(params: URLSearchParams, name: string): number {
  const text = required(params, name);
  const ms = Date.parse(text);
  if (!Number.isSafeInteger(ms)) {
    throw new ClipTokenError("malformed", `"${name}" is not an ISO 8601 timestamp`);
  }
  return ms;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
