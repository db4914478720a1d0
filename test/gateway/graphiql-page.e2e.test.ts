// GraphiQL's page and the viewer's files over plain HTTP: compressed when the client accepts it
// (the same bytes once decoded), with a Content-Security-Policy that forbids framing, nosniff, and
// the page's inline scripts allowed by hash only. The browser test (graphiql.e2e.test.ts) shows
// GraphiQL still works under that policy.

import { createHash } from "node:crypto";
import { request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../support/stack.ts";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

/** A GET with exactly these headers (fetch would add and undo Accept-Encoding itself). */
function get(
  path: string,
  headers: Record<string, string>,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}> {
  const { hostname, port } = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

const html = { accept: "text/html" };

describe("GraphiQL's page", () => {
  it("is gzip- or Brotli-compressed when accepted, the same page once decoded", async () => {
    const plain = await get("/graphql", html);
    expect(plain.status).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.byteLength).toBeGreaterThan(5_000_000);
    expect(plain.body.toString()).toContain("renderYogaGraphiQL");

    const gzipped = await get("/graphql", { ...html, "accept-encoding": "gzip, deflate" });
    expect(gzipped.headers["content-encoding"]).toBe("gzip");
    expect(gzipped.headers.vary).toContain("Accept-Encoding");
    expect(gzipped.body.byteLength).toBeLessThan(3_000_000);
    expect(Number(gzipped.headers["content-length"])).toBe(gzipped.body.byteLength);
    expect(gunzipSync(gzipped.body).equals(plain.body)).toBe(true);

    const brotli = await get("/graphql", { ...html, "accept-encoding": "gzip, deflate, br" });
    expect(brotli.headers["content-encoding"]).toBe("br");
    expect(brotli.body.byteLength).toBeLessThan(gzipped.body.byteLength);
    expect(brotliDecompressSync(brotli.body).equals(plain.body)).toBe(true);

    const refused = await get("/graphql", { ...html, "accept-encoding": "gzip;q=0, br;q=0" });
    expect(refused.headers["content-encoding"]).toBeUndefined();
  }, 60_000);

  it("carries a CSP forbidding framing and allowing its inline scripts by hash only", async () => {
    const page = await get("/graphql", html);
    const csp = String(page.headers["content-security-policy"]);
    const directives = new Map(
      csp.split(";").map((d) => {
        const [name = "", ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    expect(directives.get("frame-ancestors")).toEqual(["'none'"]);
    expect(directives.get("default-src")).toEqual(["'none'"]);
    const scripts = [...page.body.toString().matchAll(/<script>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    expect(directives.get("script-src")).toEqual(
      scripts.map(
        (m) =>
          `'sha256-${createHash("sha256")
            .update(m[1] ?? "")
            .digest("base64")}'`,
      ),
    );
    expect(page.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("leaves GET queries (no text/html) to GraphQL", async () => {
    const response = await get("/graphql?query=%7B__typename%7D", {
      accept: "application/json",
      "x-graphql-csrf": "1",
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({ data: { __typename: "Query" } });
  });
});

describe("the viewer's files", () => {
  it("are compressed when accepted, with the viewer's CSP", async () => {
    const plain = await get("/viewer/hls.js", {});
    const gzipped = await get("/viewer/hls.js", { "accept-encoding": "gzip" });
    expect(gzipped.headers["content-encoding"]).toBe("gzip");
    expect(gzipped.body.byteLength).toBeLessThan(plain.body.byteLength / 2);
    expect(gunzipSync(gzipped.body).equals(plain.body)).toBe(true);
    expect(String(gzipped.headers["content-security-policy"])).toContain("frame-ancestors 'none'");
  });
});
