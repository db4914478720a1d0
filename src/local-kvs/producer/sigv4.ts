// A minimal AWS Signature V4 header signer (node:crypto only), for the PutMedia client:
// PutMedia is in no SDK model, so nothing else signs it. The payload is not hashed
// (UNSIGNED-PAYLOAD), as for any streaming body.

import { createHash, createHmac } from "node:crypto";

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const DUMMY_CREDENTIALS: SigningCredentials = {
  accessKeyId: "AKIDLOCALKVS",
  secretAccessKey: "local-kvs-secret",
};

const hmac = (key: string | Buffer, data: string) =>
  createHmac("sha256", key).update(data).digest();
const sha256Hex = (data: string) => createHash("sha256").update(data).digest("hex");

/** "20240102T030405Z" */
function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/**
 * Adds x-amz-date, x-amz-content-sha256 (and the session token) to `headers` and returns the
 * Authorization header value for a request to `url`.
 */
export function signRequest(options: {
  method: string;
  url: URL;
  headers: Record<string, string>;
  region: string;
  service: string;
  credentials: SigningCredentials;
  date?: Date;
}): string {
  const { method, url, headers, region, service, credentials } = options;
  const stamp = amzDate(options.date ?? new Date());
  const day = stamp.slice(0, 8);
  headers["x-amz-date"] = stamp;
  headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
  if (credentials.sessionToken) headers["x-amz-security-token"] = credentials.sessionToken;
  headers.host = url.host;

  const names = Object.keys(headers)
    .map((h) => h.toLowerCase())
    .sort();
  const lowered = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const canonicalHeaders = names
    .map((n) => `${n}:${(lowered.get(n) ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const signedHeaders = names.join(";");
  const canonicalRequest = [
    method,
    url.pathname || "/",
    url.searchParams.toString(),
    canonicalHeaders,
    signedHeaders,
    "UNSIGNED-PAYLOAD",
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", stamp, scope, sha256Hex(canonicalRequest)].join("\n");
  const key = hmac(
    hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), service),
    "aws4_request",
  );
  const signature = createHmac("sha256", key).update(stringToSign).digest("hex");
  return `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}
