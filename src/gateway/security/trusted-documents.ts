// Trusted documents (persisted operations): with PERSISTED_OPERATIONS_FILE set, the gateway runs
// only the operations listed in that file, a JSON object mapping an id (e.g. the document's
// SHA-256) to its text. Clients send `extensions.persistedQuery: { version: 1, sha256Hash: id }`
// (Apollo's and Yoga's convention) and no query text, over HTTP and graphql-ws alike (graphql-ws
// requires a `query` string: send ""). Any other document is refused with a typed error, unless
// PERSISTED_OPERATIONS_ALLOW_ARBITRARY=true lets them run as well (a migration step).

import { readFileSync, statSync } from "node:fs";
import { usePersistedOperations } from "@graphql-yoga/plugin-persisted-operations";
import { GraphQLError, parse } from "graphql";
import type { Plugin } from "graphql-yoga";

export interface TrustedDocuments {
  /** Id → document text. */
  documents: ReadonlyMap<string, string>;
  /** Also run documents sent as text (default false). */
  allowArbitrary: boolean;
}

const ID_PATTERN = /^[A-Za-z0-9_:.-]{1,128}$/;
/** A bound on the file read at start (a manifest of many thousand operations fits). */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Reads and checks the file: every id well-formed, every document parses. Throws with the reason. */
export function loadTrustedDocuments(file: string, allowArbitrary: boolean): TrustedDocuments {
  const size = statSync(file).size;
  if (size > MAX_FILE_BYTES) throw new Error(`${file} is larger than ${MAX_FILE_BYTES} bytes`);
  const json: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (json === null || typeof json !== "object" || Array.isArray(json))
    throw new Error(`${file} must hold a JSON object mapping ids to documents`);
  const documents = new Map<string, string>();
  for (const [id, document] of Object.entries(json)) {
    if (!ID_PATTERN.test(id))
      throw new Error(`the id "${id.slice(0, 64)}" must match ${ID_PATTERN}`);
    if (typeof document !== "string") throw new Error(`the document of "${id}" is not a string`);
    try {
      parse(document);
    } catch (error) {
      throw new Error(`the document of "${id}" does not parse: ${(error as Error).message}`);
    }
    documents.set(id, document);
  }
  return { documents, allowArbitrary };
}

/** The refusals, as GraphQL errors with a code and the HTTP status they are answered with. */
function refusal(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

const refusals = {
  textRefused: () =>
    refusal(
      "PERSISTED_QUERY_ONLY",
      "This gateway runs only its trusted documents: send extensions.persistedQuery { version: 1, sha256Hash } instead of the query text.",
    ),
  notFound: () =>
    refusal(
      "PERSISTED_QUERY_NOT_FOUND",
      "No trusted document has the id in extensions.persistedQuery.",
    ),
  idMissing: () =>
    refusal(
      "PERSISTED_QUERY_ID_REQUIRED",
      "Send extensions.persistedQuery { version: 1, sha256Hash } naming a trusted document.",
    ),
};

/** The id of `extensions.persistedQuery` (version 1), if any. */
function persistedId(extensions: unknown): string | undefined {
  if (extensions === null || typeof extensions !== "object") return undefined;
  const persisted = (extensions as { persistedQuery?: unknown }).persistedQuery;
  if (persisted === null || typeof persisted !== "object") return undefined;
  const { version, sha256Hash } = persisted as { version?: unknown; sha256Hash?: unknown };
  return version === 1 && typeof sha256Hash === "string" ? sha256Hash : undefined;
}

/**
 * The document text a graphql-ws subscribe message runs, or the refusal: the same rules as the
 * HTTP plugin below, for the transport Yoga's onParams does not see.
 */
export function trustedQueryOf(
  trusted: TrustedDocuments,
  payload: { query: string; extensions?: unknown },
): string | GraphQLError {
  if (payload.query !== "") return trusted.allowArbitrary ? payload.query : refusals.textRefused();
  const id = persistedId(payload.extensions);
  if (id === undefined) return refusals.idMissing();
  return trusted.documents.get(id) ?? refusals.notFound();
}

/** The HTTP side: Yoga's persisted-operations plugin over the same documents and refusals. */
export function useTrustedDocuments(trusted: TrustedDocuments): Plugin {
  return usePersistedOperations({
    getPersistedOperation: (id) => trusted.documents.get(id) ?? null,
    allowArbitraryOperations: trusted.allowArbitrary,
    customErrors: {
      persistedQueryOnly: refusals.textRefused,
      notFound: refusals.notFound,
      keyNotFound: refusals.idMissing,
    },
  });
}
