// The HTTP side of the gateway: SSE, GraphiQL, CORS, extra routes and shutdown.

import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { executeSse } from "../support/graphql.ts";
import { createStreams } from "../support/kvs-local.ts";
import { type Stack, startStack } from "../support/stack.ts";
import { StreamQuery } from "./documents.ts";

let stack: Stack;
let arn: string;

beforeAll(async () => {
  stack = await startStack({ gateway: { corsOrigins: ["https://app.example.com"] } });
  [arn] = (await createStreams(stack.kvs.endpoint, ["sse-cam"])) as [string];
  stack.app.addRoute({
    methods: ["GET"],
    path: /^\/test-route\/(ok|boom)$/,
    handle(_request, response, url) {
      if (url.pathname.endsWith("boom")) throw new Error("route failed");
      response.writeHead(200, { "content-type": "text/plain" }).end("ok");
    },
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe("transports", () => {
  it("answers a query over Server-Sent Events", async () => {
    const { contentType, results } = await executeSse(stack.graphqlUrl, StreamQuery, {
      name: "sse-cam",
    });
    expect(contentType).toMatch(/^text\/event-stream/);
    expect(results).toEqual([
      {
        data: {
          stream: expect.objectContaining({
            __typename: "Stream",
            name: "sse-cam",
            arn,
            status: "ACTIVE",
          }),
        },
      },
    ]);
  });

  it("serves GraphiQL to browsers on /graphql, set up for WebSocket subscriptions", async () => {
    const response = await fetch(stack.graphqlUrl, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain("GraphiQL");
    expect(html).toContain('"subscriptionsProtocol":"WS"');
  });

  it("allows the configured origin and no other", async () => {
    const preflight = (origin: string) =>
      fetch(stack.graphqlUrl, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      });
    const allowed = await preflight("https://app.example.com");
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    // A browser only accepts the answer if it names the requesting origin (or "*").
    const other = await preflight("https://evil.example.com");
    expect(other.headers.get("access-control-allow-origin")).not.toMatch(
      /^(\*|https:\/\/evil\.example\.com)$/,
    );
  });
});

describe("extra routes", () => {
  it("serves a registered route, its preflight and a 500 JSON body when it throws", async () => {
    const ok = await fetch(`${stack.url}/test-route/ok`);
    expect({ status: ok.status, body: await ok.text() }).toEqual({ status: 200, body: "ok" });

    const preflight = await fetch(`${stack.url}/test-route/ok`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "GET" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example.com");

    const boom = await fetch(`${stack.url}/test-route/boom`);
    expect({ status: boom.status, body: await boom.json() }).toEqual({
      status: 500,
      body: { error: "InternalError", message: "Unexpected error." },
    });
  });
});

describe("shutdown", () => {
  it("closes open WebSockets and stops listening", async () => {
    const own = await startStack();
    const socket = new WebSocket(own.wsUrl, "graphql-transport-ws");
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    await own.stop();
    expect(await closed).toBe(1001);
    await expect(fetch(own.graphqlUrl)).rejects.toThrow();
  });

  it.each(["a b", "host:99999", "user@host", "host/path"])(
    "answers a Host header of %j with 400 and keeps serving",
    async (host) => {
      const { port } = new URL(stack.url);
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          { host: "127.0.0.1", port, path: "/graphql?query=%7B__typename%7D", headers: { host } },
          (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
              body += chunk;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on("error", reject);
        req.end();
      });
      expect(answer).toEqual({
        status: 400,
        body: JSON.stringify({ error: "BadRequest", message: "Invalid Host header." }),
      });
      const ok = await fetch(`${stack.graphqlUrl}?query=%7B__typename%7D`, {
        headers: { "x-graphql-csrf": "1" },
      });
      expect(await ok.json()).toEqual({ data: { __typename: "Query" } });
    },
  );
});
