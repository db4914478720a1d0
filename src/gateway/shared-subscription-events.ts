// Shared execution of identical subscription events. Every NOW subscriber of a stream receives the
// same fragment object from the GetMedia fan-out, and most of them select the same fields: this
// plugin executes such an event once per distinct (schema, normalised document, operation name,
// variables) and hands the one ExecutionResult to all of them, with its JSON serialised once
// (sharedJsonOf; graphql-ws and Yoga's SSE send those bytes).
//
// Nothing per subscriber is weakened: each subscriber still subscribes alone (its subscribe
// resolver runs with its own context, so authorization, argument checks and its own bounded
// FragmentSubscriber with SlowSubscriber), events that are not shareable (errors: SlowSubscriber,
// NotAuthorized, GetMedia failures) are executed per subscriber with its own context, and error
// masking and observability still run per subscriber on the shared result (they replace it rather
// than change it). The fields under a shared event must not depend on the principal: the event
// types opt in through `identityOf` (see live-fragments.ts, whose FragmentEvent fields read only
// the fragment).

import {
  createSourceEventStream,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  executeSubscriptionEvent,
  type GraphQLSchema,
  mapSourceToResponseEvent,
  print,
  type ValidatedSubscriptionArgs,
  validateSubscriptionArgs,
} from "graphql";
import type { Plugin } from "graphql-yoga";

/** The object shared by all subscribers who get this event, or undefined when it is theirs alone. */
export type SharedEventIdentity = (event: unknown) => object | undefined;

type MaybePromise<T> = T | Promise<T>;

/** Per shared event: the result for each subscription key. Collected with the event. */
const resultsByEvent = new WeakMap<object, Map<string, MaybePromise<ExecutionResult>>>();
/** Serialised JSON of shared results, made on first use. */
const sharedJson = new WeakMap<ExecutionResult, string>();
/** Results that are shared (executed for several subscribers): only they are serialised once. */
const sharedResults = new WeakSet<ExecutionResult>();
const normalisedDocuments = new WeakMap<DocumentNode, string>();
const schemaIds = new WeakMap<GraphQLSchema, number>();
let nextSchemaId = 0;

/** Counts, for the bench and tests: events executed vs. results handed out. */
export const sharedEventStats = { executions: 0, deliveries: 0 };

/**
 * The JSON text of a shared subscription result, serialised once for every subscriber; undefined
 * for results that are not shared (serialise those as usual).
 */
export function sharedJsonOf(result: unknown): string | undefined {
  if (typeof result !== "object" || result === null) return undefined;
  const shared = result as ExecutionResult;
  if (!sharedResults.has(shared)) return undefined;
  let json = sharedJson.get(shared);
  if (json === undefined) {
    json = JSON.stringify(shared);
    sharedJson.set(shared, json);
  }
  return json;
}

export function useSharedSubscriptionEvents(identityOf: SharedEventIdentity): Plugin {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn((args) => subscribeSharing(args, identityOf));
    },
  };
}

function subscribeSharing(args: ExecutionArgs, identityOf: SharedEventIdentity) {
  const validated = validateSubscriptionArgs(args);
  if (!("schema" in validated)) return { errors: validated };
  const key = subscriptionKey(args);
  const executor = (perEvent: ValidatedSubscriptionArgs) => executeEvent(perEvent, key, identityOf);
  const sourceOrResult = createSourceEventStream(validated);
  const mapped = (source: AsyncIterable<unknown> | ExecutionResult) =>
    isAsyncIterable(source) ? mapSourceToResponseEvent(validated, source, executor) : source;
  return sourceOrResult instanceof Promise ? sourceOrResult.then(mapped) : mapped(sourceOrResult);
}

function executeEvent(
  perEvent: ValidatedSubscriptionArgs,
  key: string,
  identityOf: SharedEventIdentity,
): MaybePromise<ExecutionResult> {
  const identity = identityOf(perEvent.rootValue);
  if (identity === undefined) return executeSubscriptionEvent(perEvent);
  let results = resultsByEvent.get(identity);
  if (results === undefined) {
    results = new Map();
    resultsByEvent.set(identity, results);
  }
  sharedEventStats.deliveries += 1;
  const known = results.get(key);
  if (known !== undefined) return known;
  sharedEventStats.executions += 1;
  // Without the first subscriber's abort signal: its leaving must not cut the others' event.
  const result = executeSubscriptionEvent({ ...perEvent, externalAbortSignal: undefined });
  const marked =
    result instanceof Promise ? result.then(markShared) : markShared(result as ExecutionResult);
  results.set(key, marked);
  return marked;
}

function markShared(result: ExecutionResult): ExecutionResult {
  sharedResults.add(result);
  // Yoga's SSE writer serialises a result with its own `stringify` when it has one.
  Object.defineProperty(result, "stringify", {
    value: (value: unknown) => (value === result ? sharedJsonOf(result) : JSON.stringify(value)),
    enumerable: false,
  });
  return result;
}

/** Subscriptions with the same key get the same result for the same event. */
function subscriptionKey(args: ExecutionArgs): string {
  let schemaId = schemaIds.get(args.schema);
  if (schemaId === undefined) {
    schemaId = nextSchemaId++;
    schemaIds.set(args.schema, schemaId);
  }
  let document = normalisedDocuments.get(args.document);
  if (document === undefined) {
    // print() drops comments, whitespace and commas: the same selection typed differently.
    document = print(args.document);
    normalisedDocuments.set(args.document, document);
  }
  return JSON.stringify([
    schemaId,
    document,
    args.operationName ?? null,
    canonical(args.variableValues ?? {}),
  ]);
}

/** A JSON value with its object keys sorted, so that key order does not split a share. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== "object" || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const name of Object.keys(value).sort()) {
    sorted[name] = canonical((value as Record<string, unknown>)[name]);
  }
  return sorted;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}
