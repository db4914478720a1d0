// Subscription clients that keep the wire text: a bare graphql-transport-ws socket and a bare SSE
// reader. Tests compare the bytes the gateway sent; the load bench and the soak open thousands of
// them (far cheaper than graphql-ws's client).

import WebSocket from "ws";

export interface RawSubscriber {
  /** Resolves once the subscribe message went out (after connection_ack for graphql-ws). */
  readonly ready: Promise<void>;
  /** Resolves when the subscription or connection ended. */
  readonly ended: Promise<void>;
  close(): void;
}

export interface RawSubscription {
  query: string;
  variables?: Record<string, unknown>;
  /** Told each `next` payload's JSON text, as sent, and when it arrived (performance.now). */
  onNext(payload: string, atMs: number): void;
  /** Told any other message (error, complete) or failure, as text. */
  onOther?(text: string): void;
  /** An API key: sent in connection_init (graphql-ws) or as X-Api-Key (SSE). */
  apiKey?: string;
}

const NEXT_PREFIX = '"type":"next","payload":';

/** One graphql-transport-ws socket carrying one subscription (id "1"). */
export function rawWsSubscriber(wsUrl: string, subscription: RawSubscription): RawSubscriber {
  // A handshake the server never answers (an accept queue overflowing under a burst) fails
  // rather than waiting forever.
  const socket = new WebSocket(wsUrl, "graphql-transport-ws", {
    perMessageDeflate: false,
    handshakeTimeout: 20_000,
  });
  let resolveReady: () => void = () => {};
  let rejectReady: (error: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  const ended = new Promise<void>((resolve) => {
    socket.on("close", (code, reason) => {
      rejectReady(new Error(`socket closed ${code} ${reason.toString()}`));
      resolve();
    });
  });
  socket.on("error", (error) => {
    subscription.onOther?.(`socket error: ${error.message}`);
    rejectReady(error);
  });
  socket.on("open", () => {
    const payload = subscription.apiKey ? { apiKey: subscription.apiKey } : {};
    socket.send(JSON.stringify({ type: "connection_init", payload }));
  });
  socket.on("message", (data) => {
    const atMs = performance.now();
    const text = data.toString();
    const next = text.indexOf(NEXT_PREFIX);
    if (next >= 0) {
      subscription.onNext(text.slice(next + NEXT_PREFIX.length, -1), atMs);
      return;
    }
    if (text.includes('"connection_ack"')) {
      socket.send(
        JSON.stringify({
          id: "1",
          type: "subscribe",
          payload: { query: subscription.query, variables: subscription.variables ?? {} },
        }),
      );
      resolveReady();
      return;
    }
    if (text.includes('"type":"ping"')) {
      socket.send('{"type":"pong"}');
      return;
    }
    subscription.onOther?.(text);
  });
  return {
    ready,
    ended,
    close: () => socket.terminate(),
  };
}

/** One Server-Sent Events subscription (POST, Accept: text/event-stream). */
export function rawSseSubscriber(graphqlUrl: string, subscription: RawSubscription): RawSubscriber {
  const abort = new AbortController();
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  const ended = (async () => {
    try {
      const response = await fetch(graphqlUrl, {
        method: "POST",
        signal: abort.signal,
        headers: {
          "content-type": "application/json",
          accept: "text/event-stream",
          ...(subscription.apiKey ? { "x-api-key": subscription.apiKey } : {}),
        },
        body: JSON.stringify({
          query: subscription.query,
          variables: subscription.variables ?? {},
        }),
      });
      resolveReady();
      if (!response.ok) subscription.onOther?.(`HTTP ${response.status}`);
      if (!response.body) return;
      const decoder = new TextDecoder();
      let pending = "";
      const chunks = response.body.getReader();
      for (let read = await chunks.read(); !read.done; read = await chunks.read()) {
        const chunk = read.value;
        const atMs = performance.now();
        pending += decoder.decode(chunk, { stream: true });
        let end = pending.indexOf("\n\n");
        while (end >= 0) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          end = pending.indexOf("\n\n");
          const lines = block.split("\n");
          const data = lines
            .filter((line) => line.startsWith("data: "))
            .map((line) => line.slice(6))
            .join("\n");
          if (lines.includes("event: next")) subscription.onNext(data, atMs);
          else if (lines.includes("event: complete")) subscription.onOther?.("complete");
        }
      }
    } catch (error) {
      resolveReady();
      if (!abort.signal.aborted) subscription.onOther?.(`sse failed: ${String(error)}`);
    }
  })();
  return { ready, ended, close: () => abort.abort() };
}
