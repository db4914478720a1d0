// Typed GraphQL execution for tests: over HTTP (POST JSON), over SSE and over graphql-ws.
// Documents come from `graphql()` in test/generated (codegen), so results are typed.

import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { type FormattedExecutionResult, type GraphQLFormattedError, print } from "graphql";
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";

export interface GraphQLResponse<TData> {
  data?: TData | null;
  errors?: readonly GraphQLFormattedError[];
}

function body<TVariables>(
  document: TypedDocumentNode<unknown, TVariables>,
  variables?: TVariables,
) {
  return JSON.stringify({ query: print(document), variables: variables ?? {} });
}

/** POSTs `document` to the gateway (with extra `headers`, e.g. credentials) and returns the whole JSON response. */
export async function executeHttp<TData, TVariables>(
  graphqlUrl: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(graphqlUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json",
      ...headers,
    },
    body: body(document, variables),
  });
  return (await response.json()) as GraphQLResponse<TData>;
}

/** Runs `document` over Server-Sent Events and returns every `next` payload until `complete`. */
export async function executeSse<TData, TVariables>(
  graphqlUrl: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
): Promise<{ contentType: string | null; results: GraphQLResponse<TData>[] }> {
  const response = await fetch(graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: body(document, variables),
  });
  const text = await response.text();
  const results: GraphQLResponse<TData>[] = [];
  for (const block of text.split(/\n\n/)) {
    const lines = block.split("\n");
    const event = lines
      .find((line) => line.startsWith("event:"))
      ?.slice(6)
      .trim();
    const data = lines
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).trimStart())
      .join("\n");
    if (event === "next" && data) results.push(JSON.parse(data) as GraphQLResponse<TData>);
  }
  return { contentType: response.headers.get("content-type"), results };
}

/**
 * A graphql-ws client for the gateway's WebSocket endpoint (with e.g. `{ apiKey }` as its
 * connectionParams); dispose it in afterAll.
 */
export function wsClient(wsUrl: string, connectionParams?: Record<string, string>): Client {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
    ...(connectionParams === undefined ? {} : { connectionParams }),
  });
}

/** Runs a query over graphql-ws and returns its single result. */
export async function executeWs<TData, TVariables>(
  client: Client,
  document: TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
): Promise<FormattedExecutionResult<TData>> {
  const results = client.iterate<TData>({
    query: print(document),
    variables: (variables ?? {}) as Record<string, unknown>,
  });
  for await (const result of results) {
    await results.return?.();
    return result as FormattedExecutionResult<TData>;
  }
  throw new Error("graphql-ws completed without a result");
}

/** Subscribes over graphql-ws; iterate the results, `return()` to unsubscribe. */
export function subscribeWs<TData, TVariables>(
  client: Client,
  document: TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
): AsyncIterableIterator<FormattedExecutionResult<TData>> {
  return client.iterate<TData>({
    query: print(document),
    variables: (variables ?? {}) as Record<string, unknown>,
  }) as AsyncIterableIterator<FormattedExecutionResult<TData>>;
}
