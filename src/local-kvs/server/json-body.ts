// A restJson1 request body, read whole: bounded in size and in time, so neither a huge body nor
// one that dribbles in (a slow-body client) holds memory or a request open.

import type { IncomingMessage } from "node:http";
import { KvsServiceError } from "../errors.ts";

/** JSON request bodies are small; anything bigger is refused without buffering it. */
const MAX_JSON_BODY_BYTES = 1024 * 1024;

/**
 * Reads a JSON body of at most MAX_JSON_BODY_BYTES within `timeoutMs` (0 = no limit): a client
 * that dribbles its body is answered 408 instead of holding the request open.
 */
export async function readJsonBody(req: IncomingMessage, timeoutMs: number): Promise<unknown> {
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const timer =
      timeoutMs > 0
        ? setTimeout(
            () =>
              finish(() =>
                reject(
                  new KvsServiceError(
                    "RequestTimeoutException",
                    `The request body did not arrive within ${timeoutMs} ms`,
                  ),
                ),
              ),
            timeoutMs,
          )
        : undefined;
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
      settle();
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > MAX_JSON_BODY_BYTES) {
        finish(() =>
          reject(new KvsServiceError("SerializationException", "Request body is too large")),
        );
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(() => resolve(Buffer.concat(chunks)));
    const onError = (error: Error) => finish(() => reject(error));
    const onClose = () =>
      finish(() => reject(new Error("the client closed the request before its body ended")));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
  const text = raw.toString("utf8").trim();
  if (text === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new KvsServiceError("SerializationException", "Request body is not valid JSON");
  }
}
