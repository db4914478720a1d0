// POST /putMedia: 200 at once, then one JSON ack per line while the MKV body streams in.

import { encodeAck } from "../ingest/ack.ts";
import { ingestPutMediaBody } from "../ingest/ingest-session.ts";
import { readPutMediaHeaders } from "../ingest/put-media-headers.ts";
import type { OperationHandler } from "../server/context.ts";
import { findStream } from "./resolve-stream.ts";

/** After an ERROR ack, how long the producer may keep sending before the socket is closed. */
const DRAIN_AFTER_ERROR_MS = 2_000;

export const putMedia: OperationHandler = {
  operation: "PutMedia",
  streamingRequest: true,
  async handle({ req, res, store, clock, log, requestId }) {
    const request = readPutMediaHeaders(req.headers);
    const stream = findStream(store, request.selector);
    res.writeHead(200, { "Content-Type": "application/json", "x-amzn-RequestId": requestId });
    res.flushHeaders();
    // Leaving the loop early must not destroy the request: the ERROR ack still has to go out.
    const body = req.iterator({ destroyOnReturn: false });
    const result = await ingestPutMediaBody(body, {
      store,
      stream,
      request,
      clock,
      log,
      sendAck: (ack) => {
        if (!res.writableEnded && !res.destroyed) res.write(encodeAck(ack));
      },
    });
    await new Promise<void>((resolve) => res.end(() => resolve()));
    if (!req.readableEnded && !req.destroyed) {
      // The body was refused part-way: let the producer read the ERROR ack, then hang up.
      req.resume();
      const timer = setTimeout(() => req.socket.destroy(), DRAIN_AFTER_ERROR_MS);
      timer.unref();
      req.once("end", () => clearTimeout(timer));
    }
    if (result.errorId !== undefined) {
      log(
        `PutMedia ${stream.streamName}: ended with ErrorId ${result.errorId} after ${result.persisted} fragments`,
      );
    }
  },
};
