// Signed image links: the grid point an image is (stream, timestamp type, grid origin and
// interval, look, point index) and the link's expiry, signed by the gateway's link signer (the
// clip signing keys) as kind "kvs-image/1". The route verifies before anything else, so a forged,
// altered or expired link costs no GetImages.
import { isTimestampType, TIMESTAMP_TYPES } from "../core/fragments.ts";
import {
  type LinkFields,
  type LinkSigner,
  LinkTokenError,
  requiredParam,
  timestampParam,
} from "../core/link-signing.ts";
import {
  gridFields,
  IMAGES_MAX_HEIGHT,
  IMAGES_MAX_WIDTH,
  type ImageFormat,
  type ImageGrid,
} from "./plan.ts";

const TOKEN_KIND = "kvs-image/1";

export interface ImageGrant {
  grid: ImageGrid;
  /** Index of the point on the grid. */
  point: number;
  /** Epoch ms. */
  expiresAtMs: number;
}

const PARAM = {
  stream: "stream",
  timestampType: "timestampType",
  origin: "origin",
  interval: "interval",
  format: "format",
  width: "width",
  height: "height",
  quality: "quality",
  point: "point",
  expires: "expires",
  keyId: "kid",
  signature: "sig",
} as const;

function fields(grant: ImageGrant): LinkFields {
  return [...gridFields(grant.grid), grant.point, grant.expiresAtMs];
}

export function signImageLink(signer: LinkSigner, grant: ImageGrant): URLSearchParams {
  const { keyId, signature } = signer.sign(TOKEN_KIND, fields(grant));
  const { streamArn, timestampType, originMs, intervalMs, look } = grant.grid;
  return new URLSearchParams([
    [PARAM.stream, streamArn],
    [PARAM.timestampType, timestampType],
    [PARAM.origin, new Date(originMs).toISOString()],
    [PARAM.interval, String(intervalMs)],
    [PARAM.format, look.format],
    ...(look.width === undefined
      ? []
      : [
          [PARAM.width, String(look.width)],
          [PARAM.height, String(look.height)],
        ]),
    [PARAM.quality, String(look.quality)],
    [PARAM.point, String(grant.point)],
    [PARAM.expires, new Date(grant.expiresAtMs).toISOString()],
    [PARAM.keyId, keyId],
    [PARAM.signature, signature],
  ]);
}

function intParam(params: URLSearchParams, name: string, min: number, max: number): number {
  const text = requiredParam(params, name);
  const value = Number(text);
  if (!/^\d{1,15}$/.test(text) || value < min || value > max) {
    throw new LinkTokenError("malformed", `"${name}" must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Reads and verifies a link's grant; LinkTokenError (HTTP 403) when it must be refused. */
export function verifyImageLink(signer: LinkSigner, params: URLSearchParams): ImageGrant {
  const timestampType = requiredParam(params, PARAM.timestampType);
  if (!isTimestampType(timestampType)) {
    throw new LinkTokenError(
      "malformed",
      `${PARAM.timestampType} must be one of ${TIMESTAMP_TYPES.join(", ")}`,
    );
  }
  const format = requiredParam(params, PARAM.format);
  if (format !== "JPEG" && format !== "PNG")
    throw new LinkTokenError("malformed", `"${PARAM.format}" must be JPEG or PNG`);
  const sized = params.has(PARAM.width) || params.has(PARAM.height);
  const grant: ImageGrant = {
    grid: {
      streamArn: requiredParam(params, PARAM.stream),
      timestampType,
      originMs: timestampParam(params, PARAM.origin),
      intervalMs: intParam(params, PARAM.interval, 1, Number.MAX_SAFE_INTEGER),
      look: {
        format: format satisfies ImageFormat,
        width: sized ? intParam(params, PARAM.width, 1, IMAGES_MAX_WIDTH) : undefined,
        height: sized ? intParam(params, PARAM.height, 1, IMAGES_MAX_HEIGHT) : undefined,
        quality: intParam(params, PARAM.quality, 1, 100),
      },
    },
    point: intParam(params, PARAM.point, 0, Number.MAX_SAFE_INTEGER),
    expiresAtMs: timestampParam(params, PARAM.expires),
  };
  signer.verify(
    TOKEN_KIND,
    fields(grant),
    {
      keyId: requiredParam(params, PARAM.keyId),
      signature: requiredParam(params, PARAM.signature),
    },
    grant.expiresAtMs,
  );
  return grant;
}
