// POST /putMedia: 200 at once, then one JSON ack per line while the MKV body streams in.

import { encodeAck } from "../ingest/ack.ts";
import { ingestPutMediaBody } from "../ingest/ingest-session.ts";
import { readPutMediaHeaders } from "../ingest/put-media-headers.ts";
import type { OperationHandler } from "../server/context.ts";
import { drainThenHangUp } from "../server/drain-request.ts";
import { findStream } from "./resolve-stream.ts";

export const putMedia: OperationHandler = {
  operation: "PutMedia",
  streamingRequest: true,
  async handle({ req, res, store, clock, config, log, requestId }) {
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
      idle: {
        ackIntervalMs: config.putMediaIdleAckSeconds * 1000,
        timeoutMs: config.putMediaIdleTimeoutSeconds * 1000,
      },
      sendAck: (ack) => {
        if (!res.writableEnded && !res.destroyed) res.write(encodeAck(ack));
      },
    });
    await new Promise<void>((resolve) => res.end(() => resolve()));
    // The body was refused or given up part-way: let the producer read the last ack first.
    drainThenHangUp(req);
    if (result.errorId !== undefined) {
      log(
        `PutMedia ${stream.streamName}: ended with ErrorId ${result.errorId} after ${result.persisted} fragments`,
      );
    }
  },
};
