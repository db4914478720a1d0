// Link origins: PUBLIC_URL first; forwarding headers only from a trusted peer (IPv4-mapped IPv6
// peers included); the connection's own scheme otherwise.
import { describe, expect, it } from "vitest";
import { linkOrigin, TrustedProxies } from "../../../src/gateway/security/link-origin.ts";

const request = (remoteAddress: string, headers: Record<string, string>, encrypted = false) => ({
  headers: { host: "gateway.example", ...headers },
  socket: { remoteAddress, encrypted },
});
const spoofed = { "x-forwarded-proto": "https", "x-forwarded-host": "other.example" };

describe("linkOrigin", () => {
  const proxies = new TrustedProxies(["10.0.0.0/8", "2001:db8::1"]);

  it("prefers PUBLIC_URL", () => {
    expect(linkOrigin("https://pub.example", request("10.1.2.3", spoofed), proxies)).toBe(
      "https://pub.example",
    );
  });

  it("believes forwarding headers from trusted peers only", () => {
    expect(linkOrigin(undefined, request("10.1.2.3", spoofed), proxies)).toBe(
      "https://other.example",
    );
    expect(linkOrigin(undefined, request("::ffff:10.1.2.3", spoofed), proxies)).toBe(
      "https://other.example",
    );
    expect(linkOrigin(undefined, request("2001:db8::1", spoofed), proxies)).toBe(
      "https://other.example",
    );
    expect(linkOrigin(undefined, request("11.1.2.3", spoofed), proxies)).toBe(
      "http://gateway.example",
    );
    expect(linkOrigin(undefined, request("10.1.2.3", spoofed), new TrustedProxies([]))).toBe(
      "http://gateway.example",
    );
  });

  it("takes https from a TLS connection, and ignores a forwarded scheme other than http(s)", () => {
    expect(linkOrigin(undefined, request("11.1.2.3", {}, true), proxies)).toBe(
      "https://gateway.example",
    );
    expect(
      linkOrigin(undefined, request("10.1.2.3", { "x-forwarded-proto": "javascript" }), proxies),
    ).toBe("http://gateway.example");
  });
});
