// The one GetImages call path: a window's range on the stream's data endpoint (GET_IMAGES through
// the shared endpoint cache, which maps errors to KvsError classes). A window holds at most 25
// points, so it is one page; NextTokens are still followed (a few at most) in case KVS pages
// smaller.
import { GetImagesCommand } from "@aws-sdk/client-kinesis-video-archived-media";
import type { KvsClients } from "../core/clients.ts";
import type { EndpointCache } from "../core/endpoints.ts";
import { type ImageWindow, windowRange } from "./plan.ts";

export type ImageErrorCode = "NO_MEDIA" | "MEDIA_ERROR";

export interface UpstreamImage {
  timestampMs: number;
  content?: Buffer;
  error?: ImageErrorCode;
}

export type GetImagesCall = (
  window: ImageWindow,
  signal: AbortSignal,
  spend: () => void,
) => Promise<UpstreamImage[]>;

const MAX_PAGES_PER_WINDOW = 5;

export function createGetImagesCall(clients: KvsClients, endpoints: EndpointCache): GetImagesCall {
  return async (window, signal, spend) => {
    const { streamArn, timestampType, intervalMs, look } = window.grid;
    const range = windowRange(window);
    const images: UpstreamImage[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      spend();
      const token = nextToken;
      const output = await endpoints
        .loader()
        .withEndpoint({ arn: streamArn }, "GET_IMAGES", (endpoint) =>
          clients.archivedMedia(endpoint).send(
            new GetImagesCommand({
              StreamARN: streamArn,
              ImageSelectorType: timestampType,
              StartTimestamp: new Date(range.startMs),
              EndTimestamp: new Date(range.endMs),
              SamplingInterval: intervalMs,
              Format: look.format,
              ...(look.format === "JPEG"
                ? { FormatConfig: { JPEGQuality: String(look.quality) } }
                : {}),
              ...(look.width === undefined
                ? {}
                : { WidthPixels: look.width, HeightPixels: look.height }),
              MaxResults: range.points,
              ...(token === undefined ? {} : { NextToken: token }),
            }),
            { abortSignal: signal },
          ),
        );
      for (const image of output.Images ?? []) {
        const timestampMs = image.TimeStamp?.getTime();
        if (timestampMs === undefined) continue;
        if (image.ImageContent !== undefined && image.Error === undefined) {
          images.push({ timestampMs, content: Buffer.from(image.ImageContent, "base64") });
        } else {
          images.push({
            timestampMs,
            error: image.Error === "MEDIA_ERROR" ? "MEDIA_ERROR" : "NO_MEDIA",
          });
        }
      }
      nextToken = output.NextToken;
    } while (nextToken !== undefined && ++pages < MAX_PAGES_PER_WINDOW);
    return images;
  };
}
