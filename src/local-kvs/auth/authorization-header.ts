// Checks the shape of a SigV4 Authorization header. Like other local emulators we accept any
// credentials and do not verify signatures, but a malformed header gets the error AWS gives it.

import type { IncomingHttpHeaders } from "node:http";
import { KvsServiceError } from "../errors.ts";

const SIGNING_SERVICE = "kinesisvideo";
const ALGORITHM = "AWS4-HMAC-SHA256";

export interface AuthorizationPolicy {
  /** Reject requests without any Authorization header (AWS does; local emulators usually don't). */
  requireAuthorization: boolean;
}

function incomplete(message: string): KvsServiceError {
  return new KvsServiceError("IncompleteSignatureException", message);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Throws the AWS error for a missing or malformed Authorization header. */
export function checkAuthorization(
  headers: IncomingHttpHeaders,
  policy: AuthorizationPolicy,
): void {
  const authorization = header(headers, "authorization");
  if (authorization === undefined) {
    if (policy.requireAuthorization) {
      throw new KvsServiceError(
        "MissingAuthenticationTokenException",
        "Missing Authentication Token",
      );
    }
    return;
  }
  const [algorithm, ...rest] = authorization.trim().split(/\s+/);
  if (algorithm !== ALGORITHM) {
    throw incomplete(
      `Unsupported AWS 'algorithm': '${algorithm ?? ""}'. Authorization=${authorization}`,
    );
  }
  const params = new Map<string, string>();
  for (const part of rest.join(" ").split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ["Credential", "Signature", "SignedHeaders"].filter((p) => !params.get(p));
  if (missing.length > 0) {
    throw incomplete(
      `${missing.map((p) => `Authorization header requires '${p}' parameter.`).join(" ")} Authorization=${authorization}`,
    );
  }
  const scope = (params.get("Credential") as string).split("/");
  const [accessKey, date, region, service, terminator] = scope;
  if (
    scope.length !== 5 ||
    !accessKey ||
    !/^\d{8}$/.test(date ?? "") ||
    !region ||
    terminator !== "aws4_request"
  ) {
    throw incomplete(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${params.get("Credential")}'`,
    );
  }
  if (service !== SIGNING_SERVICE) {
    throw new KvsServiceError(
      "InvalidSignatureException",
      `Credential should be scoped to correct service: '${SIGNING_SERVICE}'.`,
    );
  }
  if (!/^[0-9a-f]{64}$/.test(params.get("Signature") as string)) {
    throw incomplete("Signature must be 64 lowercase hexadecimal characters.");
  }
  const signed = (params.get("SignedHeaders") as string).split(";");
  if (!signed.every((h) => /^[a-z0-9-]+$/.test(h)) || !signed.includes("host")) {
    throw incomplete(
      "SignedHeaders must be a ';'-separated list of lowercase header names including 'host'.",
    );
  }
  if (header(headers, "x-amz-date") === undefined && header(headers, "date") === undefined) {
    throw incomplete(
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }
}
