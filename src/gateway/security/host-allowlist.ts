// DNS rebinding: a page on evil.example makes its name resolve to 127.0.0.1 (or the gateway's
// private address) and then talks to the gateway as "same origin", sending Host: evil.example.
// So the gateway answers only Host names it serves: PUBLIC_URL's host, the configured
// ALLOWED_HOSTS, loopback names on a loopback connection, and IP literals (which no rebinding
// page can make a browser send). Anything else gets 421 Misdirected Request.

import { isIP } from "node:net";

const LOOPBACK_NAMES = new Set(["localhost", "localhost.localdomain"]);

/**
 * 127.0.0.0/8, ::1 (also IPv4-mapped or bracketed) and localhost: only this machine reaches a
 * listener bound there, or sends from there. The one loopback test of the gateway and its config.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const bare = host
    .replace(/^\[|\]$/g, "")
    .replace(/^::ffff:/i, "")
    .toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** "Example.com:4000" → "example.com"; "[::1]:4000" → "::1". */
function hostnameOf(host: string): string {
  const lower = host.toLowerCase();
  if (lower.startsWith("[")) return lower.slice(1, lower.indexOf("]"));
  const colon = lower.lastIndexOf(":");
  return (colon === -1 ? lower : lower.slice(0, colon)).replace(/\.$/, "");
}

export class HostAllowlist {
  readonly #names: ReadonlySet<string>;

  constructor(publicUrl: string | undefined, allowedHosts: readonly string[]) {
    const names = new Set(allowedHosts.map(hostnameOf));
    if (publicUrl !== undefined) names.add(hostnameOf(new URL(publicUrl).host));
    this.#names = names;
  }

  /** Whether a request with this Host header, received on `localAddress`, is ours to answer. */
  allows(host: string | undefined, localAddress: string | undefined): boolean {
    // HTTP/1.0 without Host: no name was used, so none was rebound.
    if (host === undefined) return true;
    const name = hostnameOf(host);
    if (isIP(name) !== 0) return true;
    if (this.#names.has(name)) return true;
    return LOOPBACK_NAMES.has(name) && isLoopbackHost(localAddress);
  }
}
