// The origin the gateway's links (clip downloads) are built on. PUBLIC_URL when configured.
// Otherwise what the client reached: the Host header (app.ts has already checked it against the
// Host allowlist) and the connection's own scheme (https only on a TLS socket). X-Forwarded-Proto/
// -Host and Forwarded say what a client reached through a proxy, but anyone can send them, so they
// count only from a peer listed in TRUSTED_PROXIES (none by default), and a forwarded host only if
// the Host allowlist allows it; a spoofed header from any other peer is ignored.

import { BlockList, isIP } from "node:net";
import type { HostAllowlist } from "./host-allowlist.ts";

/** A DNS name or IPv4 address, or a bracketed IPv6 address, and an optional port. */
const DNS_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const HOST_HEADER = new RegExp(
  `^(?:${DNS_LABEL}(?:\\.${DNS_LABEL})*|\\[[0-9A-Fa-f:.]+\\])(?::(\\d{1,5}))?$`,
);

/**
 * The Host header if it is a plausible `host[:port]`, else undefined. It ends up in the links the
 * gateway hands out, so anything else (a path, user info, spaces) is refused rather than echoed.
 */
export function plausibleHost(host: string | null | undefined): string | undefined {
  if (typeof host !== "string" || host.length > 261) return undefined;
  const match = HOST_HEADER.exec(host);
  if (match === null) return undefined;
  const port = match[1];
  return port === undefined || Number(port) <= 65535 ? host : undefined;
}

/** Addresses and CIDR blocks (IPv4 or IPv6) whose forwarding headers are believed. */
export class TrustedProxies {
  readonly #list = new BlockList();
  readonly size: number;

  /** Throws on an entry that is neither an IP address nor `address/prefix`. */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address = "", prefix, extra] = entry.split("/");
      const family = isIP(address);
      if (family === 0 || extra !== undefined)
        throw new Error(`"${entry}" is not an IP address or CIDR block`);
      const type = family === 4 ? "ipv4" : "ipv6";
      if (prefix === undefined) {
        this.#list.addAddress(address, type);
        continue;
      }
      const bits = Number(prefix);
      if (!/^\d{1,3}$/.test(prefix) || bits > (family === 4 ? 32 : 128))
        throw new Error(`"${entry}" has an invalid prefix length`);
      this.#list.addSubnet(address, bits, type);
    }
    this.size = entries.length;
  }

  trusts(address: string | undefined): boolean {
    if (address === undefined || this.size === 0) return false;
    // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d.
    const bare = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
    const family = isIP(bare);
    if (family === 0) return false;
    return this.#list.check(bare, family === 4 ? "ipv4" : "ipv6");
  }
}

/** What the link origin is read from: the request (or WebSocket upgrade) as node:http gave it. */
export interface LinkRequest {
  headers: Record<string, string | string[] | undefined>;
  socket: {
    remoteAddress?: string | undefined;
    localAddress?: string | undefined;
    encrypted?: boolean;
  };
}

function single(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  // Each proxy appends its own: the last one was set by the proxy next to the gateway.
  return text?.split(",").at(-1)?.trim() || undefined;
}

/** `proto` and `host` of the last element of a Forwarded header (RFC 7239). */
function forwarded(value: string | undefined): { proto?: string; host?: string } {
  const last = value?.split(",").at(-1);
  const result: { proto?: string; host?: string } = {};
  for (const pair of last?.split(";") ?? []) {
    const [name, raw] = pair.split("=", 2).map((part) => part.trim());
    if (raw === undefined) continue;
    const text = raw.replace(/^"(.*)"$/, "$1");
    if (name?.toLowerCase() === "proto") result.proto = text.toLowerCase();
    if (name?.toLowerCase() === "host") result.host = text;
  }
  return result;
}

/**
 * The base URL for links, or undefined when no plausible host is known (links are then relative).
 * A WebSocket upgrade gives the same answer as an HTTP request on that connection (ws → http).
 */
export function linkOrigin(
  publicUrl: string | undefined,
  request: LinkRequest | undefined,
  proxies: TrustedProxies,
  hosts?: Pick<HostAllowlist, "allows">,
): string | undefined {
  if (publicUrl) return publicUrl;
  if (request === undefined) return undefined;
  let scheme = request.socket.encrypted === true ? "https" : "http";
  let host = single(request.headers.host);
  if (proxies.trusts(request.socket.remoteAddress)) {
    const standard = forwarded(single(request.headers.forwarded));
    const proto = standard.proto ?? single(request.headers["x-forwarded-proto"])?.toLowerCase();
    if (proto === "https" || proto === "http") scheme = proto;
    const forwardedHost = standard.host ?? single(request.headers["x-forwarded-host"]);
    if (forwardedHost !== undefined) {
      // A proxy may pass on whatever Host its client sent: the allowlist app.ts applies to Host
      // applies to it too (a name the gateway doesn't serve gives relative links).
      if (hosts !== undefined && !hosts.allows(forwardedHost, request.socket.localAddress))
        return undefined;
      host = forwardedHost;
    }
  }
  const checked = plausibleHost(host);
  return checked === undefined ? undefined : `${scheme}://${checked}`;
}
