// Findings of the attack run, reproduced at test scale against the real server: huge and
// token-dense documents, alias floods, deep nesting, a huge graphql-ws message, cross-site
// simple requests and DNS-rebinding Host names. Each gets a clear 4xx or typed error, memory stays
// bounded, and a concurrent probe is answered in time.
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { EMBEDDED_SECURITY_DEFAULTS } from "../../../src/gateway/security/settings.ts";
import { createStreams } from "../../support/kvs-local.ts";
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

  it("stops parsing 2 MB token-dense documents at the token limit, typed, fast, while a probe is answered in time, in bounded memory", async () => {
    const aliases = Array.from({ length: 150_000 }, (_, i) => `a${i}: __typename`).join(" ");
    const body = gql(`{ ${aliases} }`);
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const floods = Array.from({ length: 5 }, () => post(wideOpen.graphqlUrl, body));
    const probeMs = await probe(wideOpen.graphqlUrl);
    for (const { status, text } of await Promise.all(floods)) {
      // Yoga answers request errors 200 under application/json (GraphQL over HTTP); typed either way.
      expect(status).toBeLessThan(500);
      expect(JSON.parse(text).errors[0].extensions).toMatchObject({
        code: "DOCUMENT_LIMIT_EXCEEDED",
        limit: "tokens",
      });
    }
    expect(performance.now() - started).toBeLessThan(4000);
    expect(probeMs).toBeLessThan(2000);
    // The attack run's 24 MB document took 4.39 GB; 5 × 2 MB must not take hundreds of MB.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * MB);
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

  it("refuses lists nested 2,000 deep in an argument with a typed error, not a parser stack overflow (500)", async () => {
    // 4 kB, far under every byte and token limit; graphql-js parses list values by recursion.
    for (const open of ["[", "{a: ", "[{a: "]) {
      const document = `{ stream(name: ${open.repeat(2000)}"x") { __typename } }`;
      const answer = await post(stack.graphqlUrl, gql(document));
      // Request errors are 200 under application/json (GraphQL over HTTP); typed either way.
      expect(answer.status).toBeLessThan(500);
      expect(JSON.parse(answer.text).errors[0].extensions).toMatchObject({
        code: "DOCUMENT_LIMIT_EXCEEDED",
        limit: "depth",
      });
    }
    expect(await probe(stack.graphqlUrl)).toBeLessThan(2000);
  });

  it("closes graphql-ws sockets that send 10 MB subscribe messages (1009), in bounded memory, while a probe is answered in time", async () => {
    const aliases = Array.from({ length: 700_000 }, (_, i) => `a${i}: __typename`).join(" ");
    const message = JSON.stringify({
      id: "1",
      type: "subscribe",
      payload: { query: `subscription { ${aliases} }` },
    });
    expect(message.length).toBeGreaterThan(10 * MB);
    const rssBefore = process.memoryUsage().rss;
    const closes = Array.from(
      { length: 5 },
      () =>
        new Promise<number>((resolve) => {
          const socket = new WebSocket(stack.wsUrl, "graphql-transport-ws");
          socket.on("open", () => {
            socket.send(JSON.stringify({ type: "connection_init" }));
            socket.send(message);
          });
          socket.on("close", (closeCode) => resolve(closeCode));
          socket.on("error", () => {});
        }),
    );
    const probeMs = await probe(stack.graphqlUrl);
    expect(await Promise.all(closes)).toEqual([1009, 1009, 1009, 1009, 1009]);
    expect(probeMs).toBeLessThan(2000);
    // The attack run's one 60 MB message took the process to 4.39 GB.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * MB);
    expect(await probe(stack.graphqlUrl)).toBeLessThan(2000);
  });

  it("refuses 1,000 aliases of streams(first: 1000) and 200 clip aliases without a KVS call, typed", async () => {
    await createStreams(stack.kvs.endpoint, ["hostile-1", "hostile-2"]);
    const streams = Array.from(
      { length: 1000 },
      (_, i) =>
        `s${i}: streams(first: 1000) { ... on StreamConnection { edges { node { name } } } }`,
    ).join(" ");
    const range = 'range: { start: "2026-01-01T00:00:00Z", end: "2026-01-01T00:01:00Z" }';
    const clips = Array.from(
      { length: 200 },
      (_, i) => `c${i}: clip(name: "hostile-1", ${range}) { __typename }`,
    ).join(" ");
    const listStreams = stack.kvs.stats.count("ListStreams");
    const listFragments = stack.kvs.stats.count("ListFragments");
    // stack: the byte limit stops the 80 kB streams flood; wideOpen (4 MB): the token limit.
    for (const [target, document, limit] of [
      [stack, `{ ${streams} }`, "bytes"],
      [wideOpen, `{ ${streams} }`, "tokens"],
      [stack, `{ ${clips} }`, "aliases"],
    ] as const) {
      const answer = await post(target.graphqlUrl, gql(document));
      expect(answer.status).toBeLessThan(500);
      expect(JSON.parse(answer.text).errors[0].extensions).toMatchObject({
        code: "DOCUMENT_LIMIT_EXCEEDED",
        limit,
      });
    }
    expect(stack.kvs.stats.count("ListStreams")).toBe(listStreams);
    expect(stack.kvs.stats.count("ListFragments")).toBe(listFragments);
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
    // What fetch(url, { mode: "no-cors" }) can send: text/plain and multipart bodies.
    for (const contentType of ["text/plain;charset=UTF-8", "multipart/form-data; boundary=x"]) {
      const simple = await fetch(stack.graphqlUrl, {
        method: "POST",
        headers: { "content-type": contentType },
        body: gql("{ __typename }"),
      });
      expect(simple.status).toBe(403);
    }
    // The attack run's 3 MB no-cors alias query: refused by size before anything reads it.
    const aliases = Array.from({ length: 200_000 }, (_, i) => `a${i}: __typename`).join(" ");
    const big = await post(stack.graphqlUrl, gql(`{ ${aliases} }`), {
      "content-type": "text/plain;charset=UTF-8",
    });
    expect(big.status).toBe(413);
    // GET may only read: a subscription over GET is refused even with the CSRF header.
    const subscription = await fetch(
      `${stack.graphqlUrl}?query=${encodeURIComponent('subscription { fragments(name: "x") { __typename } }')}`,
      { headers: { "x-graphql-csrf": "1", accept: "application/json" } },
    );
    expect(subscription.status).toBeGreaterThanOrEqual(400);
    expect(subscription.status).toBeLessThan(500);
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
