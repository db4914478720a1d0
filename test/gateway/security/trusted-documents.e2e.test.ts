// Trusted documents (PERSISTED_OPERATIONS_FILE): only the listed operations run, named by
// extensions.persistedQuery, over HTTP and graphql-ws; text documents and unknown ids are refused
// with a typed error (HTTP 400), unless arbitrary documents are allowed explicitly.

import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMBEDDED_SECURITY_DEFAULTS } from "../../../src/gateway/security/settings.ts";
import { loadTrustedDocuments } from "../../../src/gateway/security/trusted-documents.ts";
import { wsClient } from "../../support/graphql.ts";
import { removeScratchDirectory, scratchDirectory } from "../../support/scratch.ts";
import { type Stack, startStack } from "../../support/stack.ts";

const TYPENAME = "typename-v1";
const STREAMS = "streams-v1";
const persisted = (id: string) => ({ persistedQuery: { version: 1, sha256Hash: id } });

let directory: string;
let strict: Stack;
let lenient: Stack;
let client: Client;

beforeAll(async () => {
  directory = await scratchDirectory("trusted-documents-");
  const file = path.join(directory, "operations.json");
  await writeFile(
    file,
    JSON.stringify({
      [TYPENAME]: "query Typename { __typename }",
      [STREAMS]: "query Streams { streams(first: 1) { __typename } }",
    }),
  );
  const security = (allowArbitrary: boolean) => ({
    ...EMBEDDED_SECURITY_DEFAULTS,
    trustedDocuments: loadTrustedDocuments(file, allowArbitrary),
  });
  strict = await startStack({ gateway: { security: security(false) } });
  lenient = await startStack({ gateway: { security: security(true) } });
  client = wsClient(strict.wsUrl);
});

afterAll(async () => {
  await client?.dispose();
  await strict?.stop();
  await lenient?.stop();
  await removeScratchDirectory(directory);
});

async function post(stack: Stack, body: object) {
  const response = await fetch(stack.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    json: (await response.json()) as {
      data?: Record<string, unknown> | null;
      errors?: { message: string; extensions?: { code?: string } }[];
    },
  };
}

/** One graphql-ws operation: its first result, or the codes of the errors it was refused with. */
async function overWs(payload: { query: string; extensions?: Record<string, unknown> }) {
  try {
    for await (const result of client.iterate(payload)) return { result };
  } catch (errors) {
    return {
      codes: (errors as { extensions?: { code?: string } }[]).map((e) => e.extensions?.code),
    };
  }
  throw new Error("no result");
}

describe("trusted documents over HTTP", () => {
  it("run a listed operation named by its id", async () => {
    const { status, json } = await post(strict, { query: "", extensions: persisted(TYPENAME) });
    expect(status).toBe(200);
    expect(json).toEqual({ data: { __typename: "Query" } });
    const streams = await post(strict, { extensions: persisted(STREAMS) });
    expect(streams.status).toBe(200);
    expect(streams.json.data).toHaveProperty("streams");
  });

  it.each([
    ["a document sent as text", { query: "{ __typename }" }, "PERSISTED_QUERY_ONLY"],
    ["an unknown id", { extensions: persisted("nope") }, "PERSISTED_QUERY_NOT_FOUND"],
    ["neither", { variables: {} }, "PERSISTED_QUERY_ID_REQUIRED"],
  ])("refuse %s with 400 and a typed error", async (_case, body, code) => {
    const { status, json } = await post(strict, body);
    expect(status).toBe(400);
    expect(json.data ?? undefined).toBeUndefined();
    expect(json.errors?.map((e) => e.extensions?.code)).toEqual([code]);
  });

  it("run text documents too when arbitrary documents are allowed", async () => {
    const text = await post(lenient, { query: "{ __typename }" });
    expect(text.status).toBe(200);
    expect(text.json).toEqual({ data: { __typename: "Query" } });
    const byId = await post(lenient, { extensions: persisted(TYPENAME) });
    expect(byId.json).toEqual({ data: { __typename: "Query" } });
  });
});

describe("trusted documents over graphql-ws", () => {
  it("run a listed operation named by its id (with the empty query graphql-ws requires)", async () => {
    expect(await overWs({ query: "", extensions: persisted(TYPENAME) })).toEqual({
      result: { data: { __typename: "Query" } },
    });
  });

  it("refuse text documents and unknown ids with typed errors, the socket staying open", async () => {
    expect(await overWs({ query: "{ __typename }" })).toEqual({ codes: ["PERSISTED_QUERY_ONLY"] });
    expect(await overWs({ query: "", extensions: persisted("nope") })).toEqual({
      codes: ["PERSISTED_QUERY_NOT_FOUND"],
    });
    expect(await overWs({ query: "" })).toEqual({ codes: ["PERSISTED_QUERY_ID_REQUIRED"] });
    expect(await overWs({ query: "", extensions: persisted(TYPENAME) })).toEqual({
      result: { data: { __typename: "Query" } },
    });
  });
});
