// Raw sockets that play slow clients at an HTTP server: ones that dribble their request headers
// (slowloris) or a JSON body, a byte at a time, and record when the server closed them.

import net from "node:net";

export interface SlowSocket {
  /** ms after opening at which the server closed the socket (undefined while open). */
  readonly closedAfterMs: number | undefined;
  /** Everything the server sent. */
  readonly received: string;
  readonly closed: Promise<void>;
  destroy(): void;
}

export interface SlowSocketOptions {
  /** Sent at once (the request line and some headers, or headers and the start of a body). */
  opening: string;
  /** Sent every `everyMs` after that, for ever. */
  drip: string;
  everyMs: number;
}

export async function openSlowSocket(
  endpoint: string,
  options: SlowSocketOptions,
): Promise<SlowSocket> {
  const url = new URL(endpoint);
  const openedAt = Date.now();
  const socket = net.connect(Number(url.port), url.hostname);
  let closedAfterMs: number | undefined;
  let received = "";
  socket.on("data", (chunk: Buffer) => {
    received += chunk.toString("latin1");
  });
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) =>
    socket.once("close", () => {
      closedAfterMs = Date.now() - openedAt;
      clearInterval(timer);
      resolve();
    }),
  );
  const timer = setInterval(() => {
    if (socket.writable) socket.write(options.drip);
  }, options.everyMs);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  socket.write(options.opening);
  return {
    get closedAfterMs() {
      return closedAfterMs;
    },
    get received() {
      return received;
    },
    closed,
    destroy: () => socket.destroy(),
  };
}

/** A request whose headers never end: one more header line every `everyMs`. */
export const slowHeaders = (everyMs: number): SlowSocketOptions => ({
  opening: "POST /listStreams HTTP/1.1\r\nHost: 127.0.0.1\r\n",
  drip: "X-Slow: 1\r\n",
  everyMs,
});

/** A JSON request whose body (of 1 KiB declared) arrives a byte every `everyMs`. */
export const slowJsonBody = (everyMs: number): SlowSocketOptions => ({
  opening:
    "POST /listStreams HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1024\r\n\r\n{",
  drip: " ",
  everyMs,
});
