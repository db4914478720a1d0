import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { GetClipCommand } from "@aws-sdk/client-kinesis-video-archived-media";
import type { KvsClients } from "../core/clients.ts";
import type { EndpointCache } from "../core/endpoints.ts";
import { UpstreamUnavailableError } from "../core/errors.ts";
import type { StartGate } from "../core/pacer.ts";
import type { GetClipCall } from "./downloads.ts";

/**
 * The SDK call behind clip downloads (clip parts list fragments through core/fragments.ts): through the stream's data endpoint (resolved
 * and cached by the EndpointCache), errors mapped to KvsError classes.
 */

export function createGetClipCall(
  clients: KvsClients,
  endpoints: EndpointCache,
  fleetGate?: StartGate,
): GetClipCall {
  return (grant, signal) =>
    endpoints.loader().withEndpoint({ arn: grant.streamArn }, "GET_CLIP", async (endpoint) => {
      // Cluster mode: the fleet-wide turn is taken last, once the endpoint is known, so the time
      // from the booking to the request reaching KVS holds no endpoint lookup (an instance's
      // first call would otherwise arrive late, and the next instance's too soon after it).
      await fleetGate?.acquire(grant.streamArn, signal);
      const output = await clients.archivedMedia(endpoint).send(
        new GetClipCommand({
          StreamARN: grant.streamArn,
          ClipFragmentSelector: {
            FragmentSelectorType: grant.timestampType,
            TimestampRange: {
              StartTimestamp: new Date(grant.startMs),
              EndTimestamp: new Date(grant.endMs),
            },
          },
        }),
        { abortSignal: signal },
      );
      const body = output.Payload;
      if (!(body instanceof Readable)) {
        throw new UpstreamUnavailableError("GetClip answered without a readable body", {
          requestId: output.$metadata.requestId,
          code: "MissingPayload",
        });
      }
      // Anything but media (e.g. an UnknownOperationException answered with HTTP 200) must not
      // be handed to a client as an MP4.
      if (!output.ContentType?.startsWith("video/")) {
        body.destroy();
        throw new UpstreamUnavailableError(
          `GetClip answered with Content-Type ${output.ContentType ?? "(none)"} instead of video`,
          { requestId: output.$metadata.requestId, code: "UnexpectedContentType" },
        );
      }
      // Aborting the SDK call after the answer began must also end the body (and its socket).
      if (signal.aborted) body.destroy();
      else signal.addEventListener("abort", () => body.destroy(), { once: true });
      return { body, contentLength: contentLengthOf(body) };
    });
}

function contentLengthOf(body: Readable): number | undefined {
  const header = (body as Partial<IncomingMessage>).headers?.["content-length"];
  if (header === undefined || !/^\d+$/.test(header)) return undefined;
  const length = Number(header);
  return Number.isSafeInteger(length) ? length : undefined;
}
