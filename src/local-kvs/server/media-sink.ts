// A streaming response body with backpressure, closed by client disconnects and server stop,
// and able to cut the connection after N bytes (the "drop-after-bytes" fault) or pause it there
// (the "stall-after-bytes" fault).

import type { ServerResponse } from "node:http";
import type { MediaSink } from "./context.ts";

export interface SinkFaults {
  dropAfterBytes?: number | undefined;
  stall?: { bytes: number; ms: number } | undefined;
}

export function openMediaSink(
  res: ServerResponse,
  signal: AbortSignal,
  faults: SinkFaults = {},
): MediaSink {
  const { dropAfterBytes } = faults;
  let stall = faults.stall;
  let bytesWritten = 0;
  let closed = false;
  const close = () => {
    closed = true;
  };
  signal.addEventListener("abort", close, { once: true });
  res.on("close", close);

  const waitForDrain = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        res.off("drain", done);
        res.off("close", done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      res.on("drain", done);
      res.on("close", done);
      signal.addEventListener("abort", done, { once: true });
    });

  const pauseUnlessGone = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        res.off("close", done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      res.on("close", done);
      signal.addEventListener("abort", done, { once: true });
    });

  return {
    get closed() {
      return closed || res.destroyed;
    },
    get bytesWritten() {
      return bytesWritten;
    },
    async write(chunk) {
      if (closed || res.destroyed) return false;
      if (dropAfterBytes !== undefined && bytesWritten + chunk.length >= dropAfterBytes) {
        // Send exactly the allowed bytes, then cut the socket mid-body.
        const part = chunk.subarray(0, Math.max(0, dropAfterBytes - bytesWritten));
        bytesWritten += part.length;
        closed = true;
        await new Promise<void>((resolve) => {
          if (part.length === 0) resolve();
          else res.write(part, () => resolve());
        });
        res.socket?.destroy();
        res.destroy();
        return false;
      }
      if (stall !== undefined && bytesWritten + chunk.length >= stall.bytes) {
        // The bytes up to the threshold go out, then nothing for `ms` (unless the client
        // leaves), then the rest.
        const { ms } = stall;
        const head = chunk.subarray(0, Math.max(0, stall.bytes - bytesWritten));
        stall = undefined;
        bytesWritten += head.length;
        if (head.length > 0 && !res.write(head)) await waitForDrain();
        await pauseUnlessGone(ms);
        if (closed || res.destroyed) return false;
        chunk = chunk.subarray(head.length);
      }
      bytesWritten += chunk.length;
      if (!res.write(chunk)) await waitForDrain();
      return !(closed || res.destroyed);
    },
    async end() {
      signal.removeEventListener("abort", close);
      if (res.destroyed || res.writableEnded) return;
      await new Promise<void>((resolve) => res.end(() => resolve()));
    },
  };
}
