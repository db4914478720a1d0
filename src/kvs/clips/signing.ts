import { isTimestampType, TIMESTAMP_TYPES, type TimestampType } from "../core/fragments.ts";
import {
  type LinkFields,
  LinkSigner,
  type LinkSignerOptions,
  type LinkSigningKey,
  LinkTokenError,
  requiredParam,
  timestampParam,
} from "../core/link-signing.ts";

/**
 * Signed clip download URLs (core/link-signing.ts): the token covers everything the download route
 * needs to call GetClip (stream ARN, selector type, range) plus the expiry, so the route can refuse
 * a forged, altered or stale URL before it touches KVS.
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

export type ClipSigningKey = LinkSigningKey;

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

export class ClipSigner {
  /** The signer behind clip links, shared by the gateway's other links (images). */
  readonly links: LinkSigner;

  constructor(options: LinkSignerOptions) {
    this.links = new LinkSigner(options);
  }

  sign(grant: ClipGrant): SignedClipGrant {
    return { ...grant, ...this.links.sign(TOKEN_VERSION, grantFields(grant)) };
  }

  /** Checks the signature in constant time, then the expiry. Throws LinkTokenError. */
  verify(signed: SignedClipGrant): ClipGrant {
    this.links.verify(TOKEN_VERSION, grantFields(signed), signed, signed.expiresAtMs);
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

function grantFields(grant: ClipGrant): LinkFields {
  return [
    grant.streamArn,
    grant.timestampType,
    grant.startMs,
    grant.endMs,
    grant.expiresAtMs,
    // Appended only when present, so single-GetClip links keep the message (and links) they had.
    ...assemblyFields(grant.assembly),
    ...(grant.holder === undefined ? [] : ["holder", grant.holder]),
  ];
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
      throw new LinkTokenError("malformed", `"${PARAM.speed}" needs "${PARAM.assembly}"`);
    return undefined;
  }
  const kind = requiredParam(params, PARAM.assembly);
  if (kind === "whole") {
    if (params.has(PARAM.speed))
      throw new LinkTokenError("malformed", `"${PARAM.speed}" is for timelapse links only`);
    return { kind };
  }
  if (kind !== "timelapse") {
    throw new LinkTokenError("malformed", `"${PARAM.assembly}" must be whole or timelapse`);
  }
  const text = requiredParam(params, PARAM.speed);
  const speed = Number(text);
  if (!/^\d{1,4}$/.test(text) || speed < TIMELAPSE_SPEED.min || speed > TIMELAPSE_SPEED.max) {
    throw new LinkTokenError(
      "malformed",
      `"${PARAM.speed}" must be an integer from ${TIMELAPSE_SPEED.min} to ${TIMELAPSE_SPEED.max}`,
    );
  }
  return { kind, speed };
}

/** Reads a grant from a query string; anything missing or unparsable is "malformed". */
export function grantFromParams(params: URLSearchParams): SignedClipGrant {
  const streamArn = requiredParam(params, PARAM.stream);
  const timestampType = requiredParam(params, PARAM.timestampType);
  if (!isTimestampType(timestampType)) {
    throw new LinkTokenError(
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
    keyId: requiredParam(params, PARAM.keyId),
    signature: requiredParam(params, PARAM.signature),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
