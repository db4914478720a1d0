// A static response body (GraphiQL's 9 MB page, the viewer's files) kept with its gzip and Brotli
// encodings, each made once, on first use, and reused: a browser that accepts one gets it.

import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

export type ContentEncoding = "br" | "gzip";

/** The encodings an Accept-Encoding header accepts (q > 0), by name. */
function accepted(header: string | null | undefined): Set<string> {
  const names = new Set<string>();
  for (const item of (header ?? "").split(",")) {
    const [name = "", ...params] = item.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (name !== "" && (q === undefined || Number(q.slice(2)) > 0)) names.add(name);
  }
  return names;
}

export class CompressedBody {
  readonly identity: Buffer;
  readonly #encoded = new Map<ContentEncoding, Promise<Buffer>>();

  constructor(identity: Buffer | string) {
    this.identity = typeof identity === "string" ? Buffer.from(identity) : identity;
  }

  /** Brotli if accepted, else gzip if accepted, else the bytes as they are. */
  async negotiate(
    acceptEncoding: string | null | undefined,
  ): Promise<{ body: Buffer; encoding: ContentEncoding | undefined }> {
    const names = accepted(acceptEncoding);
    const encoding = names.has("br") ? "br" : names.has("gzip") ? "gzip" : undefined;
    if (encoding === undefined || this.identity.length < 1024)
      return { body: this.identity, encoding: undefined };
    return { body: await this.encoded(encoding), encoding };
  }

  /** Made once (a failure is retried on the next request). */
  encoded(encoding: ContentEncoding): Promise<Buffer> {
    let body = this.#encoded.get(encoding);
    if (body === undefined) {
      body =
        encoding === "br"
          ? brotli(this.identity, {
              // Quality 4 of 11: most of the gain in well under a second for GraphiQL's 9 MB (11 takes many seconds).
              params: {
                [constants.BROTLI_PARAM_QUALITY]: 4,
                [constants.BROTLI_PARAM_SIZE_HINT]: this.identity.length,
              },
            })
          : gzipped(this.identity, { level: 9 });
      body.catch(() => this.#encoded.delete(encoding));
      this.#encoded.set(encoding, body);
    }
    return body;
  }
}

/**
 * The headers of a developer page or one of its files (GraphiQL, the viewer): its type, length and
 * encoding, the page's CSP, no sniffing or referrer, revalidated each time (they change with the
 * gateway, and the compressed bytes are cached here anyway).
 */
export function staticPageHeaders(
  contentType: string,
  body: { body: Buffer; encoding: ContentEncoding | undefined },
  contentSecurityPolicy: string,
): Record<string, string> {
  return {
    "content-type": contentType,
    "content-length": String(body.body.length),
    ...(body.encoding === undefined ? {} : { "content-encoding": body.encoding }),
    vary: "Accept-Encoding",
    "content-security-policy": contentSecurityPolicy,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-cache",
  };
}
