// Limits that keep one GraphQL document from exhausting the process. Parsing and validating cost
// grows with the document (validation's overlapping-fields check is quadratic in same-named
// fields), and Yoga caches parsed documents, so the checks run in this order, each bounding the
// next: the document's bytes (before anything reads it), its tokens (graphql-js stops parsing past
// maxTokens), then its aliases and depth on the parsed tree, before validation. Complexity and
// breadth are the complexity plugin's (builder.ts), checked before execution.

import { type DocumentNode, GraphQLError, Kind, parse, type SelectionSetNode } from "graphql";
import type { Plugin } from "graphql-yoga";

export interface DocumentLimits {
  /** UTF-16 code units of the document text (close to bytes for GraphQL's ASCII syntax). */
  maxBytes: number;
  /** Lexical tokens, counted by graphql-js while parsing. */
  maxTokens: number;
  /** Fields with an alias, in all operations and fragments of the document. */
  maxAliases: number;
  /** Nested selection sets, following fragment spreads. */
  maxDepth: number;
}

export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = {
  maxBytes: 64 * 1024,
  maxTokens: 5000,
  maxAliases: 64,
  maxDepth: 16,
};

/** Which limit a document broke: the `limit` of the error's extensions and the metric label. */
export type DocumentLimitName = "bytes" | "tokens" | "aliases" | "depth";

export function documentLimitError(limit: DocumentLimitName, message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: "DOCUMENT_LIMIT_EXCEEDED", limit, http: { status: 400 } },
  });
}

/**
 * Parses with every document limit checked, throwing a GraphQLError with
 * `extensions.code = "DOCUMENT_LIMIT_EXCEEDED"` (HTTP 400) for a document that breaks one.
 */
export function parseWithinLimits(source: string, limits: DocumentLimits): DocumentNode {
  if (source.length > limits.maxBytes) {
    throw documentLimitError(
      "bytes",
      `The document is ${source.length} bytes; at most ${limits.maxBytes} are accepted.`,
    );
  }
  // graphql-js parses nesting by recursion: a few thousand levels overflow the stack before the
  // token limit is reached (2,000 `[` of a list value in an argument already do, in a 2 kB
  // document). Braces and brackets are counted first (strings and comments skipped), in one pass.
  if (nestingDepth(source) > limits.maxDepth + MAX_INPUT_OBJECT_NESTING) {
    throw documentLimitError(
      "depth",
      `The document nests selections, input objects and lists more than ${limits.maxDepth + MAX_INPUT_OBJECT_NESTING} levels deep.`,
    );
  }
  let document: DocumentNode;
  try {
    document = parse(source, { maxTokens: limits.maxTokens });
  } catch (error) {
    if (error instanceof GraphQLError && /more than \d+ tokens/.test(error.message)) {
      throw documentLimitError(
        "tokens",
        `The document has more than ${limits.maxTokens} tokens; parsing stopped there.`,
      );
    }
    throw error;
  }
  checkShape(document, limits);
  return document;
}

/** Braces and brackets allowed beyond the selection depth, for input objects and lists in arguments. */
const MAX_INPUT_OBJECT_NESTING = 16;

/**
 * The deepest nesting of `{` and `[` together (selection sets, input objects, list values and list
 * types all recurse in the parser), outside strings and comments.
 */
function nestingDepth(source: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x23) {
      // A comment runs to the end of the line.
      while (i < source.length && source.charCodeAt(i) !== 0x0a) i++;
    } else if (c === 0x22) {
      const block = source.startsWith('"""', i);
      const end = block ? source.indexOf('"""', i + 3) : stringEnd(source, i + 1);
      if (end === -1) return deepest;
      i = block ? end + 2 : end;
    }
  }
  return deepest;
}

/** Index of the quote closing the string opened before `from` (escapes skipped), or -1. */
function stringEnd(source: string, from: number): number {
  for (let i = from; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i;
    else if (c === 0x0a) return -1;
  }
  return -1;
}

function checkShape(document: DocumentNode, limits: DocumentLimits): void {
  let aliases = 0;
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition.selectionSet);
    }
  }
  // Depth of each fragment's selection set, memoised; a fragment cycle (which validation refuses
  // later) counts as deep rather than looping.
  const fragmentDepth = new Map<string, number>();
  const depthOf = (selectionSet: SelectionSetNode, visiting: Set<string>): number => {
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.selectionSet) {
          deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, visiting));
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(selection.selectionSet, visiting));
      } else {
        const name = selection.name.value;
        let depth = fragmentDepth.get(name);
        if (depth === undefined) {
          const target = fragments.get(name);
          if (target === undefined || visiting.has(name)) depth = 0;
          else {
            visiting.add(name);
            depth = depthOf(target, visiting);
            visiting.delete(name);
            fragmentDepth.set(name, depth);
          }
        }
        deepest = Math.max(deepest, depth);
      }
      if (deepest > limits.maxDepth) return deepest;
    }
    return deepest;
  };

  const countAliases = (selectionSet: SelectionSetNode): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD && selection.alias) aliases++;
      if (selection.kind !== Kind.FRAGMENT_SPREAD && selection.selectionSet) {
        countAliases(selection.selectionSet);
      }
    }
  };

  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.OPERATION_DEFINITION &&
      definition.kind !== Kind.FRAGMENT_DEFINITION
    ) {
      continue;
    }
    countAliases(definition.selectionSet);
    if (aliases > limits.maxAliases) {
      throw documentLimitError(
        "aliases",
        `The document has more than ${limits.maxAliases} aliases; ask for fewer at once.`,
      );
    }
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      const depth = 1 + depthOf(definition.selectionSet, new Set());
      if (depth > limits.maxDepth) {
        throw documentLimitError(
          "depth",
          `The document nests more than ${limits.maxDepth} levels of selections.`,
        );
      }
    }
  }
}

/**
 * The Yoga plugin: parses every document (HTTP and graphql-ws alike, both go through the
 * envelop `parse`) with `parseWithinLimits`, and reports each refusal to `onRefused`.
 */
export function useDocumentLimits(
  limits: DocumentLimits,
  onRefused: (limit: DocumentLimitName) => void = () => {},
): Plugin {
  return {
    onParse({ setParseFn }) {
      setParseFn((source) => {
        try {
          return parseWithinLimits(typeof source === "string" ? source : source.body, limits);
        } catch (error) {
          const limit = error instanceof GraphQLError ? error.extensions.limit : undefined;
          if (typeof limit === "string") onRefused(limit as DocumentLimitName);
          throw error;
        }
      });
    },
  };
}
