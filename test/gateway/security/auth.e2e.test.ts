// Authentication and per-stream authorization through the real server: API keys and JWTs over
// HTTP and graphql-ws, and a principal limited to cam-* that can neither see nor touch `other`.
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { EMBEDDED_SECURITY_DEFAULTS } from "../../../src/gateway/security/settings.ts";
import { createStreams } from "../../support/kvs-local.ts";
import { type Stack, startStack } from "../../support/stack.ts";

const SECRET = new TextEncoder().encode("a-test-secret-of-at-least-32-bytes!!");
const CAM_KEY = "cam-viewer-key-0123456789abcdef";
const ALL_KEY = "operator-key-0123456789abcdefgh";

async function jwt(
  claims: Record<string, unknown>,
  options: { audience?: string; expiresAt?: number; secret?: Uint8Array } = {},
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer("https://issuer.test")
    .setAudience(options.audience ?? "kvs-gateway")
    .setSubject("user-1")
    .setExpirationTime(options.expiresAt ?? Math.floor(Date.now() / 1000) + 600)
    .sign(options.secret ?? SECRET);
}

describe("authentication and per-stream authorization", () => {
  let stack: Stack;
  let otherArn: string;

  beforeAll(async () => {
    stack = await startStack({
      gateway: {
        security: {
          ...EMBEDDED_SECURITY_DEFAULTS,
          auth: {
            mode: "on",
            apiKeys: [
              { id: "cams", key: CAM_KEY, streams: ["cam-*"] },
              { id: "ops", key: ALL_KEY, streams: ["*"] },
            ],
            jwt: {
              secret: SECRET,
              issuer: "https://issuer.test",
              audience: "kvs-gateway",
              clockToleranceSeconds: 0,
              streamsClaim: "kvs_streams",
            },
          },
        },
      },
    });
    const arns = await createStreams(stack.kvs.endpoint, ["cam-1", "cam-2", "other", "lobby"]);
    otherArn = arns[2] as string;
  });
  afterAll(() => stack.stop());

  async function post(query: string, headers: Record<string, string> = {}) {
    const response = await fetch(stack.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Connects with `payload`, runs one subscription to its end, and returns its events. */
  function subscribeOnce(payload: Record<string, string>, query: string): Promise<unknown[]> {
    const events: unknown[] = [];
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(stack.wsUrl, "graphql-transport-ws");
      socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload })));
      socket.on("message", (data) => {
        const message = JSON.parse(String(data)) as { type: string; payload?: unknown };
        if (message.type === "connection_ack") {
          socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query } }));
        } else if (message.type === "next") events.push(message.payload);
        else if (message.type === "complete") {
          socket.close();
          resolve(events);
        } else reject(new Error(JSON.stringify(message)));
      });
      socket.on("close", (code) => reject(new Error(`closed ${code} before complete`)));
    });
  }

  const STREAMS = "{ streams(first: 10) { ... on StreamConnection { edges { node { name } } } } }";

  it("refuses a request without a credential, with a bad key, a bad signature, an expired JWT or a wrong audience", async () => {
    const refusals: Array<Record<string, string>> = [
      {},
      { "x-api-key": "not-a-key-0123456789abcdefghij" },
      {
        authorization: `Bearer ${await jwt({ kvs_streams: ["*"] }, { secret: new TextEncoder().encode("another-secret-of-at-least-32-bytes!!") })}`,
      },
      {
        authorization: `Bearer ${await jwt({ kvs_streams: ["*"] }, { expiresAt: Math.floor(Date.now() / 1000) - 60 })}`,
      },
      {
        authorization: `Bearer ${await jwt({ kvs_streams: ["*"] }, { audience: "someone-else" })}`,
      },
    ];
    const before = stack.kvs.stats.count("ListStreams");
    for (const headers of refusals) {
      const { status, body } = await post(STREAMS, headers);
      expect(status).toBe(401);
      expect(body.errors).toEqual([
        expect.objectContaining({
          extensions: expect.objectContaining({ code: "UNAUTHENTICATED" }),
        }),
      ]);
    }
    expect(stack.kvs.stats.count("ListStreams")).toBe(before);
  });

  it("refuses a graphql-ws connection without a valid credential at connection_init", async () => {
    for (const payload of [{}, { apiKey: "wrong-key-0123456789abcdefghij" }]) {
      const closed = await new Promise<number>((resolve) => {
        const socket = new WebSocket(stack.wsUrl, "graphql-transport-ws");
        socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload })));
        socket.on("close", (code) => resolve(code));
      });
      expect(closed).toBe(4403);
    }
  });

  it("shows a cam-* principal only cam-* streams, with API key and JWT alike", async () => {
    const viaKey = await post(STREAMS, { "x-api-key": CAM_KEY });
    const viaJwt = await post(STREAMS, {
      authorization: `Bearer ${await jwt({ kvs_streams: "cam-*" })}`,
    });
    for (const { status, body } of [viaKey, viaJwt]) {
      expect(status).toBe(200);
      expect(body).toEqual({
        data: { streams: { edges: [{ node: { name: "cam-1" } }, { node: { name: "cam-2" } }] } },
      });
    }
    const all = await post(STREAMS, { "x-api-key": ALL_KEY });
    expect(JSON.stringify(all.body)).toContain("other");
  });

  it("pages correctly through the streams a principal may see", async () => {
    const names: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const { body } = await post(
        `{ streams(first: 1${after ? `, after: "${after}"` : ""}) { ... on StreamConnection { edges { node { name } } pageInfo { hasNextPage endCursor } } } }`,
        { "x-api-key": CAM_KEY },
      );
      const connection = (
        body.data as {
          streams: {
            edges: Array<{ node: { name: string } }>;
            pageInfo: { hasNextPage: boolean; endCursor: string };
          };
        }
      ).streams;
      names.push(...connection.edges.map((edge) => edge.node.name));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(names).toEqual(["cam-1", "cam-2"]);
  });

  it("answers NotAuthorized for a forbidden stream by name, ARN, node id and clip, whether it exists or not, without calling KVS", async () => {
    const headers = { "x-api-key": CAM_KEY };
    const before = stack.kvs.stats.count("DescribeStream") + stack.kvs.stats.count("ListFragments");
    const range = `range: { start: "2026-01-01T00:00:00.000Z", end: "2026-01-01T00:01:00.000Z" }`;
    for (const query of [
      `{ r: stream(name: "other") { __typename ... on KvsError { code } } }`,
      `{ r: stream(name: "no-such-stream") { __typename ... on KvsError { code } } }`,
      `{ r: stream(arn: "${otherArn}") { __typename ... on KvsError { code } } }`,
      `{ r: clip(name: "other", ${range}) { __typename ... on KvsError { code } } }`,
    ]) {
      const { body } = await post(query, headers);
      expect(body).toEqual({
        data: { r: { __typename: "NotAuthorized", code: "NotAuthorizedException" } },
      });
    }
    const { body } = await post(
      `{ node(id: "${Buffer.from(`Stream:${otherArn}`).toString("base64")}") { id } }`,
      headers,
    );
    expect(body.data).toEqual({ node: null });
    expect(body.errors).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({ code: "NotAuthorizedException" }),
      }),
    ]);
    expect(stack.kvs.stats.count("DescribeStream") + stack.kvs.stats.count("ListFragments")).toBe(
      before,
    );
    // An allowed stream that does not exist is still ResourceNotFound.
    const missing = await post(`{ r: stream(name: "cam-none") { __typename } }`, headers);
    expect(missing.body).toEqual({ data: { r: { __typename: "ResourceNotFound" } } });
  });

  it("refuses a subscription to a forbidden stream with a NotAuthorized event over graphql-ws", async () => {
    const events = await subscribeOnce(
      { apiKey: CAM_KEY },
      'subscription { fragments(name: "other") { __typename ... on KvsError { code } } }',
    );
    expect(events).toEqual([
      { data: { fragments: { __typename: "NotAuthorized", code: "NotAuthorizedException" } } },
    ]);
    expect(stack.kvs.stats.count("GetMedia")).toBe(0);
  });

  it("ends a subscription with NotAuthorized when its JWT expires", async () => {
    const token = await jwt(
      { kvs_streams: ["cam-*"] },
      { expiresAt: Math.floor(Date.now() / 1000) + 2 },
    );
    const started = Date.now();
    const events = await subscribeOnce(
      { authorization: `Bearer ${token}` },
      'subscription { fragments(name: "cam-1") { __typename ... on KvsError { code message } } }',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(events).toEqual([
      {
        data: {
          fragments: {
            __typename: "NotAuthorized",
            code: "NotAuthorizedException",
            message: expect.stringContaining("expired"),
          },
        },
      },
    ]);
  });
});
