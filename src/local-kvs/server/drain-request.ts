// After answering before the request body was read to its end (an error answer, or a PutMedia
// that stopped early), let the client go on sending for a while so it reads the answer instead of
// a connection reset, then hang up: the body may be endless.

import type { IncomingMessage } from "node:http";

/** How long a client may keep sending its body after the answer. */
const DRAIN_AFTER_ANSWER_MS = 2_000;

export function drainThenHangUp(req: IncomingMessage): void {
  if (req.readableEnded || req.destroyed) return;
  req.resume();
  const timer = setTimeout(() => req.socket.destroy(), DRAIN_AFTER_ANSWER_MS);
  timer.unref();
  req.once("end", () => clearTimeout(timer));
}
