// Findings of the attack run, reproduced at test scale against the real server: huge and
// token-dense documents, alias floods, deep nesting, a huge graphql-ws message, cross-site
// simple requests and DNS-rebinding Host names. Each gets a clear 4xx or typed error, memory stays
// bounded, and a concurrent probe is answered in time.
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { EMBEDDED_SECURITY_DEFAULTS } from "../../../src/gateway/security/settings.ts";
import { type Stack, startStack } from "../../support/stack.ts";

const MB = 1024 * 1024;

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return { status: response.status, text: await response.text() };
}

const gql = (query: string) => JSON.stringify({ query });

/** Time for `{ __typename }` to be answered, ms. */
async function probe(url: string): Promise<number> {
  const started = performance.now();
  const { status, text } = await post(url, gql("{ __typename }"));
  expect(status).toBe(200);
  expect(JSON.parse(text)).toEqual({ data: { __typename: "Query" } });
  return performance.now() - started;
}

describe("hostile documents and requests", () => {
  let stack: Stack;
  let wideOpen: Stack;

  beforeAll(async () => {
    stack = await startStack({
      gateway: {
        security: {
          ...EMBEDDED_SECURITY_DEFAULTS,
          exposure: { introspection: false, suggestions: false },
        },
      },
    });
    // Bytes and body limits raised, so the token and shape limits are what stops a document.
    wideOpen = await startStack({
      gateway: {
        security: {
          ...EMBEDDED_SECURITY_DEFAULTS,
          maxBodyBytes: 4 * MB,
          documentLimits: { ...EMBEDDED_SECURITY_DEFAULTS.documentLimits, maxBytes: 4 * MB },
        },
      },
    });
  });
  afterAll(async () => {
    await stack.stop();
    await wideOpen.stop();
  });

  it("refuses 2 MB alias documents with 413 before reading them, while a probe is answered in time, in bounded memory", async () => {
    const aliases = Array.from({ length: 150_000 }, (_, i) => `a${i}: __typename`).join(" ");
    const body = gql(`{ ${aliases} }`);
    expect(body.length).toBeGreaterThan(2 * MB);
    const rssBefore = process.memoryUsage().rss;
    const floods = Array.from({ length: 20 }, () => post(stack.graphqlUrl, body));
    const probeMs = await probe(stack.graphqlUrl);
    for (const answer of await Promise.all(floods)) {
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.text)).toMatchObject({ error: "PayloadTooLarge" });
    }
    expect(probeMs).toBeLessThan(2000);
    // 20 × 2 MB were sent by this process itself; the server side must not add hundreds of MB.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * MB);
  });

  it("stops parsing a 2 MB token-dense document at the token limit, typed, fast", async () => {
    const aliases = Array.from({ length: 150_000 }, (_, i) => `a${i}: __typename`).join(" ");
    const started = performance.now();
    const { status, text } = await post(wideOpen.graphqlUrl, gql(`{ ${aliases} }`));
    // Yoga answers request errors 200 under application/json (GraphQL over HTTP); typed either way.
    expect(status).toBeLessThan(500);
    expect(JSON.parse(text).errors[0].extensions).toMatchObject({
      code: "DOCUMENT_LIMIT_EXCEEDED",
      limit: "tokens",
    });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("refuses alias floods and deep nesting with typed 400s, never a 500", async () => {
    const aliases = Array.from({ length: 200 }, (_, i) => `a${i}: __typename`).join(" ");
    const flood = await post(stack.graphqlUrl, gql(`{ ${aliases} }`));
    expect(flood.status).toBeLessThan(500);
    expect(JSON.parse(flood.text).errors[0].extensions).toMatchObject({ limit: "aliases" });

    const deep = `${"{ a ".repeat(50_000)}${"}".repeat(50_000)}`;
    const nested = await post(wideOpen.graphqlUrl, gql(deep));
    expect(nested.status).toBeLessThan(500);
    expect(JSON.parse(nested.text).errors[0].extensions).toMatchObject({ limit: "depth" });

    const shallowButDeep = `{ ${'node(id: "x") { ... on Stream { fragments(range: {start: "2026-01-01T00:00:00Z", end: "2026-01-02T00:00:00Z"}) { ... on FragmentConnection { edges { node { number } } } } } } '.repeat(1)}}`;
    expect((await post(stack.graphqlUrl, gql(shallowButDeep))).status).not.toBe(500);
    const tooDeep = `${"{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } } } } } }"}`;
    const answer = await post(wideOpen.graphqlUrl, gql(tooDeep));
    expect(answer.status).toBeLessThan(500);
    expect(JSON.parse(answer.text).errors[0].extensions).toMatchObject({ limit: "depth" });
  });

  it("closes a graphql-ws socket that sends a 10 MB message (1009) and keeps serving", async () => {
    const code = await new Promise<number>((resolve) => {
      const socket = new WebSocket(stack.wsUrl, "graphql-transport-ws");
      socket.on("open", () => socket.send("x".repeat(10 * MB)));
      socket.on("close", (closeCode) => resolve(closeCode));
      socket.on("error", () => {});
    });
    expect(code).toBe(1009);
    expect(await probe(stack.graphqlUrl)).toBeLessThan(2000);
  });

  it("refuses cross-site simple requests: a form POST and a GET without the CSRF header", async () => {
    const form = await fetch(stack.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `query=${encodeURIComponent("{ __typename }")}`,
    });
    expect(form.status).toBe(403);
    const get = await fetch(`${stack.graphqlUrl}?query=${encodeURIComponent("{ __typename }")}`);
    expect(get.status).toBe(403);
    const withHeader = await fetch(
      `${stack.graphqlUrl}?query=${encodeURIComponent("{ __typename }")}`,
      {
        headers: { "x-graphql-csrf": "1" },
      },
    );
    expect(withHeader.status).toBe(200);
  });

  it("answers a DNS-rebinding Host name with 421, over HTTP and WebSocket", async () => {
    const { port } = new URL(stack.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port,
          path: "/graphql",
          method: "POST",
          headers: { host: `evil.example:${port}`, "content-type": "application/json" },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end(gql("{ __typename }"));
    });
    expect(status).toBe(421);
    const upgrade = await new Promise<number>((resolve) => {
      const socket = new WebSocket(stack.wsUrl, "graphql-transport-ws", {
        headers: { host: `evil.example:${port}` },
      });
      socket.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      socket.on("open", () => resolve(101));
      socket.on("error", () => {});
    });
    expect(upgrade).not.toBe(101);
    // localhost on a loopback connection is ours.
    expect(await probe(stack.graphqlUrl.replace("127.0.0.1", "localhost"))).toBeLessThan(2000);
  });

  it("hides introspection and field suggestions when configured off", async () => {
    const introspection = await post(stack.graphqlUrl, gql("{ __schema { queryType { name } } }"));
    expect(introspection.status).toBeLessThan(500);
    expect(introspection.text).toMatch(/introspection/i);
    const typo = await post(stack.graphqlUrl, gql('{ strem(name: "x") { __typename } }'));
    expect(typo.text).not.toContain("Did you mean");
    const open = await post(wideOpen.graphqlUrl, gql('{ strem(name: "x") { __typename } }'));
    expect(open.text).toContain("Did you mean");
  });
});
