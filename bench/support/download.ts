// How the clip benchmarks time a download: bytes, total time and time to the first byte, read
// from an HTTP response (a gateway link) or an SDK payload stream (GetClip direct).
import { get } from "node:http";

export interface Measured {
  bytes: number;
  ms: number;
  firstByteMs: number;
}

/** Reads `body` to its end; times count from `t0` (performance.now()). */
export async function consume(body: AsyncIterable<Uint8Array>, t0: number): Promise<Measured> {
  let bytes = 0;
  let firstByteMs = 0;
  for await (const chunk of body) {
    if (bytes === 0) firstByteMs = performance.now() - t0;
    bytes += chunk.byteLength;
  }
  return { bytes, ms: performance.now() - t0, firstByteMs };
}

/** GETs a gateway download link and reads it to the end (anything but 200 is an error). */
export function viaGateway(url: string): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    get(url, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`gateway answered ${response.statusCode}`));
        response.resume();
        return;
      }
      consume(response, t0).then(resolve, reject);
    }).on("error", reject);
  });
}
