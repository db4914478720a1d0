// Without PUBLIC_URL, clip links are built on the Host header the client sent, and only when it is
// a plausible host[:port]; anything else gives a relative link rather than echoing it. With
// PUBLIC_URL, the Host header plays no part. X-Forwarded-Proto/-Host and Forwarded count only from
// a peer in TRUSTED_PROXIES (these tests connect from 127.0.0.1).

import { request } from "node:http";
import { print } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMBEDDED_SECURITY_DEFAULTS } from "../../../src/gateway/security/settings.ts";
import { makeTestVideo } from "../../support/media.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { fillStream } from "../../support/seed.ts";
import { type Stack, startStack } from "../../support/stack.ts";
import { ClipQuery } from "./documents.ts";

const STREAM = "origins";
const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;

let directory: string;
let stack: Stack;
let withPublicUrl: Stack;
let behindProxy: Stack;

beforeAll(async () => {
  directory = await scratchDirectory("clip-origin-");
  const video = await makeTestVideo(directory, { seconds: 2, fps: 5 });
  // The names these tests send must pass the Host allowlist to reach link building.
  const security = {
    ...EMBEDDED_SECURITY_DEFAULTS,
    allowedHosts: ["gateway.example", "-evil.example", "evil..example", "evil_host.example"],
  };
  stack = await startStack({ gateway: { security } });
  withPublicUrl = await startStack({
    gateway: {
      publicUrl: "https://video.example.com",
      security: { ...security, allowedHosts: ["evil.example"] },
    },
  });
  behindProxy = await startStack({
    gateway: {
      security: {
        ...security,
        allowedHosts: [...security.allowedHosts, "video.example.com"],
        trustedProxies: ["10.0.0.0/8", "127.0.0.1"],
      },
    },
  });
  await fillStream(stack.kvs.endpoint, STREAM, video.bytes, T0);
  await fillStream(behindProxy.kvs.endpoint, STREAM, video.bytes, T0);
  await fillStream(withPublicUrl.kvs.endpoint, STREAM, video.bytes, T0);
});

afterAll(async () => {
  await stack?.stop();
  await withPublicUrl?.stop();
  await behindProxy?.stop();
  await removeScratchDirectory(directory);
});

/** The clip URL the gateway answers to a POST carrying `host` as its Host header. */
function clipUrlFor(
  target: Stack,
  host: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const body = JSON.stringify({
    query: print(ClipQuery),
    variables: {
      name: STREAM,
      range: { start: new Date(T0).toISOString(), end: new Date(T0 + 1000).toISOString() },
      timestampType: "PRODUCER_TIMESTAMP",
    },
  });
  const { hostname, port } = new URL(target.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        path: "/graphql",
        method: "POST",
        headers: { ...headers, host, "content-type": "application/json" },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => {
          try {
            const clip = (JSON.parse(text) as { data?: { clip?: { url?: string } } }).data?.clip;
            if (clip?.url === undefined) throw new Error("no clip URL");
            resolve(clip.url);
          } catch {
            reject(new Error(`HTTP ${response.statusCode}: no clip URL in ${text.slice(0, 200)}`));
          }
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("clip link origins", () => {
  it.each([
    ["a name and port", "gateway.example:8080", "http://gateway.example:8080/clips?"],
    ["a name", "gateway.example", "http://gateway.example/clips?"],
    ["an IPv4 address", "10.0.0.7:4000", "http://10.0.0.7:4000/clips?"],
    ["an IPv6 address", "[::1]:4000", "http://[::1]:4000/clips?"],
  ])("builds links on a Host header with %s", async (_case, host, prefix) => {
    const url = await clipUrlFor(stack, host);
    expect(url.slice(0, prefix.length)).toBe(prefix);
  });

  // A Host with a path or user info never gets this far: the app answers it with 400
  // (test/gateway/transport.e2e.test.ts).
  it.each([
    ["a bad label", "-evil.example"],
    ["an empty label", "evil..example"],
    ["an underscore", "evil_host.example"],
    ["an empty port", "gateway.example:"],
  ])("answers a relative link to a Host header with %s", async (_case, host) => {
    expect(await clipUrlFor(stack, host)).toMatch(/^\/clips\?stream=/);
  });

  it("uses PUBLIC_URL whatever the Host header says", async () => {
    expect(await clipUrlFor(withPublicUrl, "evil.example")).toMatch(
      /^https:\/\/video\.example\.com\/clips\?/,
    );
  });

  const forwarded = {
    "x-forwarded-proto": "https",
    "x-forwarded-host": "video.example.com",
    forwarded: 'for=192.0.2.1;proto=https;host="video.example.com"',
  };

  it("ignores forwarding headers from a peer that is not a trusted proxy", async () => {
    expect(await clipUrlFor(stack, "gateway.example", forwarded)).toMatch(
      /^http:\/\/gateway\.example\/clips\?/,
    );
  });

  it.each([
    [
      "X-Forwarded-Proto and -Host",
      { "x-forwarded-proto": "https", "x-forwarded-host": "video.example.com" },
    ],
    ["Forwarded", { forwarded: 'for=192.0.2.1;proto=https;host="video.example.com"' }],
    [
      "the last of several proxies' X-Forwarded-*",
      { "x-forwarded-proto": "http, https", "x-forwarded-host": "evil.example, video.example.com" },
    ],
  ])("builds https links from a trusted proxy's %s", async (_case, headers) => {
    expect(await clipUrlFor(behindProxy, "gateway.example", headers)).toMatch(
      /^https:\/\/video\.example\.com\/clips\?/,
    );
  });

  it("keeps the Host header and the connection's scheme when a trusted proxy sends none", async () => {
    expect(await clipUrlFor(behindProxy, "gateway.example")).toMatch(
      /^http:\/\/gateway\.example\/clips\?/,
    );
  });

  it("answers a relative link to a forwarded host the Host allowlist refuses", async () => {
    expect(
      await clipUrlFor(behindProxy, "gateway.example", { "x-forwarded-host": "rebound.example" }),
    ).toMatch(/^\/clips\?stream=/);
  });

  it("answers a relative link to a trusted proxy's implausible forwarded host", async () => {
    expect(
      await clipUrlFor(behindProxy, "gateway.example", { "x-forwarded-host": "evil.example/x" }),
    ).toMatch(/^\/clips\?stream=/);
  });
});
