// A PutMedia client (the SDKs have none: only the producer SDKs speak PutMedia). It streams an
// MKV body with backpressure and yields the server's acks as they arrive.

import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { PutMediaAck } from "../ingest/ack.ts";
import { DUMMY_CREDENTIALS, type SigningCredentials, signRequest } from "./sigv4.ts";

export type { PutMediaAck } from "../ingest/ack.ts";

export interface PutMediaOptions {
  /** The PUT_MEDIA data endpoint (GetDataEndpoint), e.g. http://127.0.0.1:4567. */
  endpoint: string;
  streamName?: string;
  streamArn?: string;
  body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | Uint8Array;
  timecodeType: "ABSOLUTE" | "RELATIVE";
  /** Sent as x-amzn-producer-start-timestamp (epoch seconds). */
  producerStartTimestampMs: number;
  signal?: AbortSignal;
  /** Default us-east-1. */
  region?: string;
  /** Default: dummy credentials (kvs-local accepts any). */
  credentials?: SigningCredentials;
}

export interface PutMediaSession {
  /** Acks in arrival order; ends when the server closes the response. Single consumer. */
  acks: AsyncIterable<PutMediaAck>;
  /** Resolves when the exchange is over; rejects on HTTP errors (with the AWS exception name) and transport failures. */
  done: Promise<void>;
}

/** An HTTP error answer to PutMedia, named after the AWS exception. */
export class PutMediaError extends Error {
  readonly exception: string;
  readonly status: number;

  constructor(exception: string, message: string, status: number) {
    super(message);
    this.exception = exception;
    this.status = status;
    this.name = exception;
  }
}

/** A queue read by one async iterator. */
class AckQueue implements AsyncIterable<PutMediaAck> {
  readonly #items: PutMediaAck[] = [];
  #ended = false;
  #failure: unknown;
  #wake: (() => void) | undefined;

  push(ack: PutMediaAck): void {
    this.#items.push(ack);
    this.#wake?.();
  }

  end(failure?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#failure = failure;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<PutMediaAck> {
    while (true) {
      const item = this.#items.shift();
      if (item) {
        yield item;
        continue;
      }
      if (this.#ended) {
        if (this.#failure !== undefined) throw this.#failure;
        return;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }
}

function toAsyncIterable(
  body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | Uint8Array,
): AsyncIterable<Uint8Array> {
  if (body instanceof Uint8Array) {
    return (async function* () {
      // Chunks of 64 KiB, as a producer would send them.
      for (let at = 0; at < body.length; at += 65_536) yield body.subarray(at, at + 65_536);
    })();
  }
  if (Symbol.asyncIterator in body) return body as AsyncIterable<Uint8Array>;
  const stream = body as ReadableStream<Uint8Array>;
  return (async function* () {
    const reader = stream.getReader();
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  })();
}

async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

async function errorFromResponse(res: IncomingMessage): Promise<PutMediaError> {
  const text = await readAll(res).catch(() => "");
  let exception = String(res.headers["x-amzn-errortype"] ?? "").split(":")[0] ?? "";
  let message = text;
  try {
    const body = JSON.parse(text) as { __type?: string; Message?: string; message?: string };
    exception ||= (body.__type ?? "").split("#").at(-1) ?? "";
    message = body.Message ?? body.message ?? text;
  } catch {
    // not JSON
  }
  return new PutMediaError(exception || `Http${res.statusCode}`, message, res.statusCode ?? 0);
}

export function putMedia(options: PutMediaOptions): PutMediaSession {
  const url = new URL("/putMedia", options.endpoint);
  const headers: Record<string, string> = {
    "content-type": "application/octet-stream",
    "transfer-encoding": "chunked",
    "x-amzn-fragment-timecode-type": options.timecodeType,
    "x-amzn-producer-start-timestamp": (options.producerStartTimestampMs / 1000).toFixed(3),
  };
  if (options.streamArn !== undefined) headers["x-amzn-stream-arn"] = options.streamArn;
  else if (options.streamName !== undefined) headers["x-amzn-stream-name"] = options.streamName;
  headers.authorization = signRequest({
    method: "POST",
    url,
    headers,
    region: options.region ?? "us-east-1",
    service: "kinesisvideo",
    credentials: options.credentials ?? DUMMY_CREDENTIALS,
  });

  const acks = new AckQueue();
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const req = send(url, { method: "POST", headers, signal: options.signal });
  // Headers go out now, as the producer SDKs send them, not with the first body bytes: a producer
  // with nothing to send yet must not meet the server's headers timeout.
  req.flushHeaders();

  const done = new Promise<void>((resolve, reject) => {
    const fail = (error: unknown) => {
      acks.end(error);
      reject(error);
    };
    req.on("error", fail);
    req.on("response", (res) => {
      if (res.statusCode !== 200) {
        req.destroy();
        errorFromResponse(res).then(fail, fail);
        return;
      }
      let carry = "";
      res.setEncoding("utf8");
      res.on("data", (text: string) => {
        carry += text;
        let newline = carry.indexOf("\n");
        while (newline >= 0) {
          const line = carry.slice(0, newline).trim();
          carry = carry.slice(newline + 1);
          if (line) {
            try {
              acks.push(JSON.parse(line) as PutMediaAck);
            } catch {
              // A line that is not JSON is not an ack.
            }
          }
          newline = carry.indexOf("\n");
        }
      });
      res.on("end", () => {
        const rest = carry.trim();
        if (rest) {
          try {
            acks.push(JSON.parse(rest) as PutMediaAck);
          } catch {
            // ignore
          }
        }
        acks.end();
        resolve();
      });
      res.on("error", fail);
    });
  });
  done.catch(() => {});

  // Stream the body, waiting for the socket to drain; stop when the exchange is over.
  (async () => {
    let finished = false;
    done.then(
      () => {
        finished = true;
      },
      () => {
        finished = true;
      },
    );
    for await (const chunk of toAsyncIterable(options.body)) {
      if (req.destroyed) return;
      if (finished) {
        // The server answered before the body was sent (an ERROR ack): hang up.
        req.destroy();
        return;
      }
      if (!req.write(chunk)) {
        await new Promise<void>((resolve) => {
          const go = () => {
            req.off("drain", go);
            req.off("close", go);
            resolve();
          };
          req.on("drain", go);
          req.on("close", go);
        });
      }
    }
    if (!req.destroyed) req.end();
  })().catch((error: unknown) =>
    req.destroy(error instanceof Error ? error : new Error(String(error))),
  );

  return { acks, done };
}
