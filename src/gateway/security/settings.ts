// The gateway's security settings as one value, and the defaults an embedding (tests, a program
// building the gateway itself) gets when it gives none. The environment's defaults, which are
// stricter (authentication required against AWS), are in src/security-config.ts.

import type { AuthSettings } from "./authenticator.ts";
import { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits } from "./document-limits.ts";
import { DEFAULT_PRINCIPAL_LIMITS, type PrincipalLimitSettings } from "./principal-limits.ts";
import type { SchemaExposure } from "./schema-exposure.ts";
import type { TrustedDocuments } from "./trusted-documents.ts";

export interface GatewaySecurity {
  auth: AuthSettings;
  documentLimits: DocumentLimits;
  /** The complexity plugin's bounds: summed field costs, nesting, fields per selection. */
  complexity: { complexity: number; depth: number; breadth: number };
  exposure: SchemaExposure;
  /** Largest HTTP request body to /graphql (a body needs Content-Length). */
  maxBodyBytes: number;
  /** Largest graphql-ws message (ws closes the socket with 1009 past it). */
  maxWebSocketMessageBytes: number;
  /** Host names accepted besides PUBLIC_URL's host and, bound to loopback, loopback names. */
  allowedHosts: string[];
  /**
   * Peers (IP addresses, CIDR blocks) whose X-Forwarded-Proto/-Host and Forwarded headers are
   * believed for the links the gateway hands out; none by default.
   */
  trustedProxies: string[];
  /** Persisted operations: only these documents run (unless they allow others). Undefined: any. */
  trustedDocuments?: TrustedDocuments | undefined;
  /** Per-principal rates and caps (principal-limits.ts); DEFAULT_PRINCIPAL_LIMITS when undefined. */
  principalLimits?: PrincipalLimitSettings | undefined;
}

export const DEFAULT_COMPLEXITY_LIMITS = { complexity: 5000, depth: 16, breadth: 100 };

export const EMBEDDED_SECURITY_DEFAULTS: GatewaySecurity = {
  auth: { mode: "off" },
  documentLimits: DEFAULT_DOCUMENT_LIMITS,
  complexity: DEFAULT_COMPLEXITY_LIMITS,
  exposure: { introspection: true, suggestions: true },
  maxBodyBytes: 256 * 1024,
  maxWebSocketMessageBytes: 256 * 1024,
  allowedHosts: [],
  trustedProxies: [],
  principalLimits: DEFAULT_PRINCIPAL_LIMITS,
};
