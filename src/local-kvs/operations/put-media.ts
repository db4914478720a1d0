// POST /putMedia: 200 at once, then one JSON ack per line while the MKV body streams in.
// Too many connections for the stream, or no PutMedia memory left at all, is refused before the
// 200 with ConnectionLimitExceededException (an error PutMedia documents); a connection that runs
// out of budget or falls below the minimum data rate later gets an ERROR ack, as KVS answers
// problems found in the body.

import { KvsServiceError } from "../errors.ts";
import { encodeAck } from "../ingest/ack.ts";
import { ingestPutMediaBody } from "../ingest/ingest-session.ts";
import { readPutMediaHeaders } from "../ingest/put-media-headers.ts";
import type { OperationHandler } from "../server/context.ts";
import { drainThenHangUp } from "../server/drain-request.ts";
import { findStream } from "./resolve-stream.ts";

const connectionLimitExceeded = (message: string) =>
  new KvsServiceError(
    "ConnectionLimitExceededException",
    `Kinesis Video Streams has throttled the request because you have exceeded the limit of allowed client connections: ${message}`,
  );

export const putMedia: OperationHandler = {
  operation: "PutMedia",
  streamingRequest: true,
  async handle({ req, res, store, clock, config, connections, putMediaBudget, log, requestId }) {
    const request = readPutMediaHeaders(req.headers);
    const stream = findStream(store, request.selector);
    if (putMediaBudget.exhausted) {
      throw connectionLimitExceeded(
        `the PutMedia memory budget of ${putMediaBudget.limitBytes} bytes is in use.`,
      );
    }
    const release = connections.tryOpen(
      `PutMedia:${stream.streamArn}`,
      config.putMediaConnectionLimit,
    );
    if (!release) {
      throw connectionLimitExceeded(
        `${config.putMediaConnectionLimit} concurrent PutMedia connections for this stream.`,
      );
    }
    try {
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
        budget: putMediaBudget,
        minimumRate: {
          bytesPerSecond: config.putMediaMinBytesPerSecond,
          windowMs: config.putMediaMinRateWindowSeconds * 1000,
        },
        sendAck: (ack) => {
          if (!res.writableEnded && !res.destroyed) res.write(encodeAck(ack));
        },
      });
      // A producer that went away never sees the end's callback: its close frees the slot.
      await new Promise<void>((resolve) => {
        if (res.destroyed) return resolve();
        res.once("close", () => resolve());
        res.end(() => resolve());
      });
      // The body was refused or given up part-way: let the producer read the last ack first.
      drainThenHangUp(req);
      if (result.errorId !== undefined) {
        log(
          `PutMedia ${stream.streamName}: ended with ErrorId ${result.errorId} after ${result.persisted} fragments`,
        );
      }
    } finally {
      release();
    }
  },
};
