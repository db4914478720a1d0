// A streaming response body with backpressure, closed by client disconnects and server stop,
// and able to cut the connection after N bytes (the "drop-after-bytes" fault).

import type { ServerResponse } from "node:http";
import type { MediaSink } from "./context.ts";

export function openMediaSink(
  res: ServerResponse,
  signal: AbortSignal,
  dropAfterBytes: number | undefined,
): MediaSink {
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
