// graphql-ws `next` messages carrying a shared subscription result (shared-subscription-events.ts)
// with the result's JSON serialised once. graphql-ws stringifies every message itself, with no
// way to hand it ready text, so the payload goes in as a placeholder that serialises to a short
// token, and the socket's send swaps the token for the shared text: the message is then
// `{"id":…,"type":"next","payload":<the shared bytes>}`.

import type { WebSocket } from "ws";
import { sharedJsonOf } from "./shared-subscription-events.ts";

/** The token's text as it appears in the stringified message (JSON escapes the NUL). */
const TOKEN_PREFIX = "\u0000shared-payload:";
const ESCAPED_TOKEN = `"${JSON.stringify(TOKEN_PREFIX).slice(1, -1)}`;
const MESSAGE_END = '"}';

/**
 * Shared JSON awaiting its send, by token number; each entry is taken by exactly one send.
 * graphql-ws sends a message in the microtask after onNext returns, so whatever is still here on
 * the next turn of the event loop belonged to a socket that closed meanwhile (ws skips the send):
 * it is swept then.
 */
const pending = new Map<string, string>();
let nextToken = 0;
let sweepScheduled = false;

function sweep(): void {
  sweepScheduled = false;
  pending.clear();
}

/**
 * For graphql-ws's onNext: a payload standing for the shared result's JSON, or undefined to let
 * graphql-ws serialise the result as usual.
 */
export function sharedNextPayload(result: unknown): object | undefined {
  const json = sharedJsonOf(result);
  if (json === undefined) return undefined;
  const token = String(nextToken++);
  pending.set(token, json);
  if (!sweepScheduled) {
    sweepScheduled = true;
    setImmediate(sweep);
  }
  return { toJSON: () => `${TOKEN_PREFIX}${token}` };
}

/** The message with its token (if any) replaced by the shared JSON. */
export function expandSharedPayload(message: string): string {
  if (!message.endsWith(MESSAGE_END)) return message;
  const at = message.lastIndexOf(ESCAPED_TOKEN);
  if (at < 0) return message;
  const token = message.slice(at + ESCAPED_TOKEN.length, -MESSAGE_END.length);
  const json = pending.get(token);
  if (json === undefined) return message;
  pending.delete(token);
  return `${message.slice(0, at)}${json}}`;
}

/** Makes `socket.send` expand shared payloads; call on each connection before graphql-ws sends. */
export function expandSharedPayloadsOn(socket: WebSocket): void {
  const send = socket.send.bind(socket);
  socket.send = ((data: unknown, ...rest: unknown[]) =>
    (send as (...args: unknown[]) => void)(
      typeof data === "string" ? expandSharedPayload(data) : data,
      ...rest,
    )) as WebSocket["send"];
}
