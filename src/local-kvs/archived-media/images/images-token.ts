// GetImages NextTokens: opaque to clients, bound to the request they continue. The token is the
// index of the next sampling point and a digest of the request, MACed with a key of this process,
// so a forged or altered token, or one given with other parameters, is an InvalidArgument.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { invalidArgument } from "../../errors.ts";

const KEY = randomBytes(32);
const MAC_BYTES = 16;

export function requestDigest(parts: ReadonlyArray<string | number | undefined>): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64");
}

const mac = (payload: Buffer) =>
  createHmac("sha256", KEY).update(payload).digest().subarray(0, MAC_BYTES);

export function encodeImagesToken(digest: string, nextIndex: number): string {
  const payload = Buffer.from(JSON.stringify({ d: digest, i: nextIndex }), "utf8");
  return Buffer.concat([payload, mac(payload)]).toString("base64");
}

/** The next sampling point's index; InvalidArgument when the token is not ours for this request. */
export function decodeImagesToken(token: string, digest: string): number {
  const bytes = Buffer.from(token, "base64");
  if (bytes.length > MAC_BYTES) {
    const payload = bytes.subarray(0, bytes.length - MAC_BYTES);
    if (timingSafeEqual(mac(payload), bytes.subarray(bytes.length - MAC_BYTES))) {
      const value = JSON.parse(payload.toString("utf8")) as { d?: unknown; i?: unknown };
      if (value.d !== digest)
        throw invalidArgument("NextToken belongs to a request with other parameters.");
      if (typeof value.i === "number" && Number.isSafeInteger(value.i) && value.i >= 0)
        return value.i;
    }
  }
  throw invalidArgument("NextToken is invalid.");
}
