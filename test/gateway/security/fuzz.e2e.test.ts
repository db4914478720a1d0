// Fuzzing the deployed gateway (`node src/main.ts`, its own process, so a crash shows as an exit
// and its memory is its own): thousands of random and mutated documents and variables over HTTP
// (POST JSON, GET) and graphql-ws (subscribe messages, malformed protocol messages). Every answer
// is a well-formed GraphQL response or a 4xx (a socket closed with a 44xx/1009 code), never a 5xx,
// a 4500 close or a dead process, and the gateway's RSS settles. The seed is fixed (FUZZ_SEED
// overrides it) and fast-check prints it with the counterexample on failure.

import { setPriority } from "node:os";
import fc from "fast-check";
import { print } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type GatewayProcess, spawnGateway } from "../../support/gateway-process.ts";
import { LOAD_TEST_ENV } from "../../support/stack.ts";
import { ClipQuery, StreamClipQuery, ThreeClipsQuery } from "../clips/documents.ts";
import {
  FragmentsQuery,
  ListStreamsQuery,
  NodeQuery,
  StreamQuery,
  StreamsWithFragmentsQuery,
  StreamThreeWaysQuery,
} from "../documents.ts";
import { FragmentsSubscription } from "../subscriptions/documents.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const HTTP_AND_WS_RUNS = 2000;
const PROTOCOL_RUNS = 300;
const MB = 1024 * 1024;

const VALID_DOCUMENTS = [
  ...[
    ListStreamsQuery,
    StreamQuery,
    NodeQuery,
    FragmentsQuery,
    StreamsWithFragmentsQuery,
    StreamThreeWaysQuery,
    ClipQuery,
    StreamClipQuery,
    ThreeClipsQuery,
    FragmentsSubscription,
  ].map((document) => print(document)),
  "{ __typename }",
  '{ stream(name: "fuzz") { __typename ... on Stream { name arn } } }',
  'subscription { fragments(name: "fuzz") { __typename } }',
  "{ __schema { types { name fields { name } } } }",
];

const TOKENS = [
  "{",
  "}",
  "(",
  ")",
  "[",
  "]",
  "...",
  "@include(if: $x)",
  "$",
  ":",
  "=",
  "!",
  "|",
  "&",
  '"',
  '"""',
  "#",
  "\\u0000",
  "fragment F on Stream { name }",
  "...F",
  "query",
  "subscription",
  "mutation",
  "__typename",
  "99999999999999999999999",
  "-0.0e-400",
  "1e309",
  "null",
  "true",
  "\u{1F4A9}",
  "\uD800",
  "\u202E",
  "\uFEFF",
  "\r\n",
];

const document = fc.constantFrom(...VALID_DOCUMENTS);
const at = (text: string, n: number) => n % (text.length + 1);

/** Mutations of valid documents: truncations, inserted, duplicated and garbled tokens. */
const mutated = fc.oneof(
  fc.tuple(document, fc.nat()).map(([d, n]) => d.slice(0, at(d, n))),
  fc
    .tuple(document, fc.nat(), fc.constantFrom(...TOKENS))
    .map(([d, n, token]) => d.slice(0, at(d, n)) + token + d.slice(at(d, n))),
  fc
    .tuple(document, fc.nat(), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 2, max: 200 }))
    .map(([d, n, length, times]) => {
      const start = at(d, n);
      return d.slice(0, start) + d.slice(start, start + length).repeat(times) + d.slice(start);
    }),
  fc
    .tuple(document, fc.nat(), fc.integer({ min: 1, max: 30 }))
    .map(([d, n, length]) => d.slice(0, at(d, n)) + d.slice(at(d, n) + length)),
  fc
    .tuple(document, fc.nat(), fc.string({ unit: "binary", maxLength: 8 }))
    .map(([d, n, junk]) => d.slice(0, at(d, n)) + junk + d.slice(at(d, n) + junk.length)),
);

/** Shapes of the attack run: deep nesting, alias floods, long lists and strings, big numbers. */
const hostile = fc.oneof(
  fc
    .tuple(fc.integer({ min: 1, max: 60_000 }), fc.boolean())
    .map(([n, closed]) => `${"{ a ".repeat(n)}${closed ? "}".repeat(n) : ""}`),
  fc
    .tuple(fc.integer({ min: 1, max: 40_000 }), fc.constantFrom("[", "{a:", "[{a:"))
    .map(([n, open]) => `{ stream(name: ${open.repeat(n)}"x") { __typename } }`),
  fc
    .integer({ min: 1, max: 20_000 })
    .map((n) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(" ")} }`),
  fc
    .integer({ min: 1, max: 2_000 })
    .map(
      (n) =>
        `{ ${Array.from({ length: n }, (_, i) => `s${i}: streams(first: 1000) { __typename }`).join(" ")} }`,
    ),
  fc
    .tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }))
    .map(
      ([fragments, spreads]) =>
        `{ ...F0 } ${Array.from({ length: fragments }, (_, i) => `fragment F${i} on Query { ${`...F${(i + 1) % fragments} `.repeat(spreads)} __typename }`).join(" ")}`,
    ),
  fc
    .integer({ min: 1, max: 200_000 })
    .map((n) => `{ stream(name: "${"x".repeat(n)}") { __typename } }`),
  fc
    .bigInt({ min: -(10n ** 400n), max: 10n ** 400n })
    .map((n) => `{ streams(first: ${n}) { __typename } }`),
  fc.string({ unit: "binary", maxLength: 400 }),
  fc.string({ unit: "grapheme", maxLength: 400 }),
);

const query = fc.oneof(
  { weight: 4, arbitrary: mutated },
  { weight: 2, arbitrary: hostile },
  { weight: 1, arbitrary: document },
);

const scalar = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.double(),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.constantFrom(
    Number.MAX_SAFE_INTEGER * 1024,
    -1,
    0,
    2 ** 31,
    "NOW",
    "2026-01-01T00:00:00Z",
    "not-a-date",
    "",
  ),
  fc.boolean(),
  fc.constant(null),
);

/** Variables of the right names with values of wrong types, and anything else JSON can carry. */
const variables = fc.oneof(
  fc.record(
    {
      name: scalar,
      first: scalar,
      after: scalar,
      range: fc.oneof(scalar, fc.record({ start: scalar, end: scalar })),
      start: fc.oneof(scalar, fc.record({ type: scalar, timestamp: scalar })),
      id: scalar,
      timestampType: scalar,
      nameStartsWith: scalar,
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 4 }),
  fc.constant(undefined),
);

const operationName = fc.option(fc.oneof(fc.constant("FirstLook"), fc.string({ maxLength: 10 })));

interface Case {
  transport: "post" | "get" | "ws";
  query: string;
  variables: unknown;
  operationName: string | null;
  /** A body that is not the JSON of the fields above, sometimes. */
  rawBody: string | null;
}

const fuzzCase: fc.Arbitrary<Case> = fc.record({
  transport: fc.constantFrom("post", "post", "get", "ws"),
  query,
  variables,
  operationName,
  rawBody: fc.option(
    fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc.constant(`{"query": ${"[".repeat(10_000)}`),
    ),
    { freq: 10 },
  ),
});

/** A GraphQL response: an object with `data` and/or a non-empty `errors` array of messages. */
function isGraphQLResponse(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  const errors = record.errors;
  if (errors !== undefined) {
    if (!Array.isArray(errors) || errors.length === 0) return false;
    if (!errors.every((error) => typeof (error as { message?: unknown })?.message === "string")) {
      return false;
    }
  }
  return "data" in record || errors !== undefined;
}

async function overHttp(gateway: GatewayProcess, c: Case): Promise<void> {
  let response: Response;
  if (c.transport === "get") {
    const params = new URLSearchParams({ query: c.query });
    if (c.variables !== undefined) params.set("variables", JSON.stringify(c.variables));
    if (c.operationName !== null) params.set("operationName", c.operationName);
    response = await fetch(`${gateway.graphqlUrl}?${params}`, {
      headers: { "x-graphql-csrf": "1" },
    });
  } else {
    response = await fetch(gateway.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body:
        c.rawBody ??
        JSON.stringify({
          query: c.query,
          variables: c.variables,
          operationName: c.operationName ?? undefined,
        }),
    });
  }
  const text = await response.text();
  expect(response.status, text.slice(0, 300)).toBeLessThan(500);
  if (response.status !== 200) return;
  // A subscription over POST is answered as Server-Sent Events: every `next` is a response.
  const results = response.headers.get("content-type")?.startsWith("text/event-stream")
    ? [...text.matchAll(/^event: next\ndata: (.*)$/gm)].map((match) => match[1] ?? "")
    : [text];
  expect(results.length, text).toBeGreaterThan(0);
  for (const result of results) expect(isGraphQLResponse(JSON.parse(result)), result).toBe(true);
}

/** Close codes a hostile client may get: protocol errors (44xx), too big (1009), going away. */
const CLIENT_FAULT_CLOSES = new Set([1000, 1001, 1009, 4400, 4401, 4403, 4406, 4409, 4429, 4499]);

/** One graphql-ws connection, acknowledged, reopened after a (client-fault) close. */
class WsSession {
  #socket: WebSocket | undefined;
  #nextId = 0;
  readonly #url: string;
  readonly closes: number[] = [];

  constructor(url: string) {
    this.#url = url;
  }

  async #open(): Promise<WebSocket> {
    if (this.#socket?.readyState === WebSocket.OPEN) return this.#socket;
    const socket = new WebSocket(this.#url, "graphql-transport-ws");
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => socket.send(JSON.stringify({ type: "connection_init" })));
      socket.once("message", (data) => {
        const message = JSON.parse(String(data)) as { type: string };
        if (message.type === "connection_ack") resolve();
        else reject(new Error(`expected connection_ack, got ${String(data)}`));
      });
      socket.once("error", reject);
      socket.once("close", (code) => reject(new Error(`closed ${code} before ack`)));
    });
    socket.on("close", (code) => this.closes.push(code));
    this.#socket = socket;
    return socket;
  }

  /** Sends a subscribe and checks what it gets until its first result, error, complete or close. */
  async run(c: Case): Promise<void> {
    const socket = await this.#open();
    const id = String(++this.#nextId);
    const outcome = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no answer to ${id} in 10 s`)), 10_000);
      const onMessage = (data: unknown) => {
        const message = JSON.parse(String(data)) as {
          id?: string;
          type: string;
          payload?: unknown;
        };
        if (message.type === "ping") {
          socket.send(JSON.stringify({ type: "pong" }));
          return;
        }
        if (message.id !== id) return;
        if (message.type === "next") {
          if (!isGraphQLResponse(message.payload)) {
            finish(new Error(`malformed next: ${String(data)}`));
            return;
          }
          // A live subscription: stop it after its first event.
          socket.send(JSON.stringify({ id, type: "complete" }));
          finish();
        } else if (message.type === "error") {
          const errors = message.payload;
          finish(
            Array.isArray(errors) && errors.length > 0 && errors.every((e) => e?.message)
              ? undefined
              : new Error(`malformed error: ${String(data)}`),
          );
        } else if (message.type === "complete") finish();
        else finish(new Error(`unexpected message: ${String(data)}`));
      };
      const onClose = (code: number) =>
        finish(CLIENT_FAULT_CLOSES.has(code) ? undefined : new Error(`socket closed ${code}`));
      const finish = (error?: Error) => {
        clearTimeout(timer);
        socket.off("message", onMessage);
        socket.off("close", onClose);
        if (error) reject(error);
        else resolve();
      };
      socket.on("message", onMessage);
      socket.on("close", onClose);
    });
    const payload = c.rawBody
      ? c.rawBody
      : JSON.stringify({
          id,
          type: "subscribe",
          payload: {
            query: c.query,
            variables: c.variables ?? null,
            operationName: c.operationName,
          },
        });
    socket.send(payload);
    if (c.rawBody) {
      // Not a subscribe message: the socket closes (4400) or nothing answers; both are fine.
      await Promise.race([outcome, new Promise((resolve) => setTimeout(resolve, 200))]);
      return;
    }
    await outcome;
  }

  close(): void {
    this.#socket?.close();
  }
}

/** Malformed or out-of-order graphql-ws messages, each on a fresh socket. */
const protocolMessages = fc.array(
  fc.oneof(
    fc.constant({ type: "connection_init" }),
    fc.record({ type: fc.constant("connection_init"), payload: fc.jsonValue({ maxDepth: 3 }) }),
    fc.record({
      id: fc.oneof(fc.constant("1"), fc.string({ maxLength: 5 }), fc.integer()),
      type: fc.constantFrom("subscribe", "complete", "next", "error", "ping", "pong", "bogus"),
      payload: fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.record({ query: query, variables: variables }, { requiredKeys: [] }),
      ),
    }),
    fc.jsonValue({ maxDepth: 3 }),
    fc.string({ unit: "binary", maxLength: 100 }),
  ),
  { minLength: 1, maxLength: 6 },
);

async function sendProtocol(wsUrl: string, messages: unknown[]): Promise<void> {
  const socket = new WebSocket(wsUrl, "graphql-transport-ws");
  const closed = new Promise<number>((resolve) => socket.once("close", resolve));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  socket.on("error", () => {});
  const malformed: string[] = [];
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { type: string; id?: string; payload?: unknown };
    if (message.type === "next" && !isGraphQLResponse(message.payload))
      malformed.push(String(data));
    if (message.type === "error" && !Array.isArray(message.payload)) malformed.push(String(data));
  });
  for (const message of messages) {
    if (socket.readyState !== WebSocket.OPEN) break;
    socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }
  const code = await Promise.race([
    closed,
    new Promise<number>((resolve) => setTimeout(() => resolve(0), 100)),
  ]);
  socket.terminate();
  expect(code === 0 || CLIENT_FAULT_CLOSES.has(code), `closed ${code}`).toBe(true);
  expect(malformed).toEqual([]);
}

async function probeMs(gateway: GatewayProcess): Promise<number> {
  const started = performance.now();
  const response = await fetch(gateway.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ __typename }" }),
  });
  expect(await response.json()).toEqual({ data: { __typename: "Query" } });
  return performance.now() - started;
}

describe("fuzzing the gateway process", () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await spawnGateway({ KVS_LOCAL_DEMO_STREAM: "false", ...LOAD_TEST_ENV });
    // Thousands of requests keep the gateway busy for half a minute: at a low priority, so that
    // the suites running beside this one on the 2 cores keep their timing bounds.
    if (gateway.child.pid !== undefined) setPriority(gateway.child.pid, 15);
  });
  afterAll(() => gateway?.kill());

  it(`answers ${HTTP_AND_WS_RUNS} random and mutated requests over HTTP and graphql-ws with a GraphQL response or a 4xx, in settling memory (seed ${SEED})`, async () => {
    // Warm up (module loading, first parses), then take the baseline.
    for (const document of VALID_DOCUMENTS) {
      await overHttp(gateway, {
        transport: "post",
        query: document,
        variables: undefined,
        operationName: null,
        rawBody: null,
      });
    }
    const rssBefore = await gateway.rssBytes();
    const ws = new WsSession(gateway.wsUrl);
    let peakRss = rssBefore;
    let runs = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fuzzCase, async (c) => {
          if (c.transport === "ws") await ws.run(c);
          else await overHttp(gateway, c);
          if (++runs % 200 === 0) peakRss = Math.max(peakRss, await gateway.rssBytes());
          expect(gateway.child.exitCode, gateway.output().slice(-2000)).toBeNull();
        }),
        { seed: SEED, numRuns: HTTP_AND_WS_RUNS, endOnFailure: true },
      );
    } finally {
      ws.close();
    }
    expect(
      ws.closes.every((code) => CLIENT_FAULT_CLOSES.has(code)),
      String(ws.closes),
    ).toBe(true);
    expect(await probeMs(gateway)).toBeLessThan(2000);
    // Settling: parse caches are bounded (32 MB + 4 MB) and nothing else is kept per request.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const rssAfter = await gateway.rssBytes();
    console.info(
      `fuzz seed ${SEED}: RSS ${Math.round(rssBefore / MB)} MB before, peak ${Math.round(peakRss / MB)} MB, ${Math.round(rssAfter / MB)} MB after`,
    );
    expect(peakRss - rssBefore).toBeLessThan(300 * MB);
    expect(rssAfter - rssBefore).toBeLessThan(200 * MB);
  }, 120_000);

  it(`closes graphql-ws sockets that send ${PROTOCOL_RUNS} malformed message sequences with a 44xx code, and keeps serving (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(protocolMessages, async (messages) => {
        await sendProtocol(gateway.wsUrl, messages);
        expect(gateway.child.exitCode, gateway.output().slice(-2000)).toBeNull();
      }),
      { seed: SEED, numRuns: PROTOCOL_RUNS, endOnFailure: true },
    );
    expect(await probeMs(gateway)).toBeLessThan(2000);
  }, 120_000);
});
