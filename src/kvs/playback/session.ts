// Playback session URLs from KVS: GetHLSStreamingSessionURL or GetDASHStreamingSessionURL on the
// stream's data endpoint (GetDataEndpoint through the shared endpoint cache). The URL points at
// KVS itself, with its session token: the browser plays it without AWS credentials.
//
// A LIVE request met with ResourceNotFound (no fragment in the last 30 s: an idle camera) may,
// when the caller allows it, become LIVE_REPLAY from the newest fragment of the last hour, so
// the player shows the last picture and goes on live when the producer comes back.
import {
  GetDASHStreamingSessionURLCommand,
  GetHLSStreamingSessionURLCommand,
  ListFragmentsCommand,
} from "@aws-sdk/client-kinesis-video-archived-media";
import type { KvsClients } from "../core/clients.ts";
import type { EndpointLoader } from "../core/endpoints.ts";
import { ResourceNotFoundError, UpstreamUnavailableError } from "../core/errors.ts";
import type { PlaybackRequest } from "./request.ts";

export interface PlaybackSessionAnswer {
  url: string;
  request: PlaybackRequest;
  expiresAt: Date;
  /** Set when a LIVE request was answered with LIVE_REPLAY from this instant. */
  replayFrom?: Date;
}

export interface PlaybackCalls {
  clients: KvsClients;
  endpoints: EndpointLoader;
  streamArn: string;
  signal?: AbortSignal | undefined;
  /** Called before each upstream call (the operation's call budget). */
  spend(): void;
}

/** How far back the fallback looks for the newest fragment, and how many pages it reads. */
const FALLBACK_LOOKBACK_MS = 60 * 60 * 1000;
const FALLBACK_MAX_PAGES = 5;

const selectorOf = (request: PlaybackRequest) => ({
  FragmentSelectorType: request.timestampType,
  ...(request.startMs === undefined
    ? {}
    : {
        TimestampRange: {
          StartTimestamp: new Date(request.startMs),
          ...(request.endMs === undefined ? {} : { EndTimestamp: new Date(request.endMs) }),
        },
      }),
});

async function sessionUrl(calls: PlaybackCalls, request: PlaybackRequest): Promise<string> {
  const options = calls.signal === undefined ? {} : { abortSignal: calls.signal };
  const common = {
    StreamARN: calls.streamArn,
    PlaybackMode: request.mode,
    Expires: request.expiresInSeconds,
    DisplayFragmentTimestamp: request.displayFragmentTimestamp ? "ALWAYS" : "NEVER",
  } as const;
  calls.spend();
  if (request.protocol === "HLS") {
    const output = await calls.endpoints.withEndpoint(
      { arn: calls.streamArn },
      "GET_HLS_STREAMING_SESSION_URL",
      (endpoint) =>
        calls.clients.archivedMedia(endpoint).send(
          new GetHLSStreamingSessionURLCommand({
            ...common,
            HLSFragmentSelector: selectorOf(request),
            ContainerFormat: request.containerFormat,
            DiscontinuityMode: request.discontinuityMode,
            ...(request.maxFragments === undefined
              ? {}
              : { MaxMediaPlaylistFragmentResults: request.maxFragments }),
          }),
          options,
        ),
    );
    return required(output.HLSStreamingSessionURL, output.$metadata.requestId);
  }
  const output = await calls.endpoints.withEndpoint(
    { arn: calls.streamArn },
    "GET_DASH_STREAMING_SESSION_URL",
    (endpoint) =>
      calls.clients.archivedMedia(endpoint).send(
        new GetDASHStreamingSessionURLCommand({
          ...common,
          DASHFragmentSelector: selectorOf(request),
          DisplayFragmentNumber: request.displayFragmentNumber ? "ALWAYS" : "NEVER",
          ...(request.maxFragments === undefined
            ? {}
            : { MaxManifestFragmentResults: request.maxFragments }),
        }),
        options,
      ),
  );
  return required(output.DASHStreamingSessionURL, output.$metadata.requestId);
}

function required(url: string | undefined, requestId: string | undefined): string {
  if (!url)
    throw new UpstreamUnavailableError("KVS answered without a session URL", {
      requestId,
      code: "MissingSessionURL",
    });
  return url;
}

/** The server timestamp of the newest fragment of the last hour (ListFragments is unordered). */
async function newestFragmentStart(
  calls: PlaybackCalls,
  nowMs: number,
): Promise<number | undefined> {
  let newest: number | undefined;
  let token: string | undefined;
  for (let page = 0; page < FALLBACK_MAX_PAGES; page++) {
    calls.spend();
    const output = await calls.endpoints.withEndpoint(
      { arn: calls.streamArn },
      "LIST_FRAGMENTS",
      (endpoint) =>
        calls.clients.archivedMedia(endpoint).send(
          new ListFragmentsCommand({
            StreamARN: calls.streamArn,
            MaxResults: 1000,
            ...(token
              ? { NextToken: token }
              : {
                  FragmentSelector: {
                    FragmentSelectorType: "SERVER_TIMESTAMP",
                    TimestampRange: {
                      StartTimestamp: new Date(nowMs - FALLBACK_LOOKBACK_MS),
                      EndTimestamp: new Date(nowMs),
                    },
                  },
                }),
          }),
          calls.signal === undefined ? {} : { abortSignal: calls.signal },
        ),
    );
    for (const fragment of output.Fragments ?? []) {
      const at = fragment.ServerTimestamp?.getTime();
      if (at !== undefined && (newest === undefined || at > newest)) newest = at;
    }
    token = output.NextToken;
    if (!token) break;
  }
  return newest;
}

export async function requestPlaybackSession(
  calls: PlaybackCalls,
  request: PlaybackRequest,
): Promise<PlaybackSessionAnswer> {
  const askedAt = Date.now();
  const expiresAt = new Date(askedAt + request.expiresInSeconds * 1000);
  try {
    return { url: await sessionUrl(calls, request), request, expiresAt };
  } catch (error) {
    if (
      !(error instanceof ResourceNotFoundError) ||
      request.mode !== "LIVE" ||
      !request.replayFallback
    )
      throw error;
    const newest = await newestFragmentStart(calls, askedAt);
    if (newest === undefined) throw error;
    // From the newest fragment by server time, with no end: it goes on live as fragments arrive.
    const replay: PlaybackRequest = {
      ...request,
      mode: "LIVE_REPLAY",
      timestampType: "SERVER_TIMESTAMP",
      startMs: newest,
    };
    delete replay.endMs;
    return {
      url: await sessionUrl(calls, replay),
      request: replay,
      expiresAt,
      replayFrom: new Date(newest),
    };
  }
}
