/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type CoverageBucketUnit =
  | 'DAY'
  | 'HOUR'
  | 'MINUTE';

/** The start of a fragment subscription. Give `afterFragmentNumber` with FRAGMENT_NUMBER, `timestamp` with SERVER_TIMESTAMP or PRODUCER_TIMESTAMP, `continuationToken` with CONTINUATION_TOKEN, and nothing else. */
export type FragmentStart = {
  afterFragmentNumber?: string | null | undefined;
  continuationToken?: string | null | undefined;
  timestamp?: string | null | undefined;
  type: FragmentStartType;
};

/** Where a live fragment subscription starts (GetMedia's StartSelectorType). */
export type FragmentStartType =
  /** After the fragment whose `continuationToken` is given: resumes an earlier subscription. */
  | 'CONTINUATION_TOKEN'
  /** With the oldest fragment the stream retains. */
  | 'EARLIEST'
  /** With the fragment after `afterFragmentNumber`. */
  | 'FRAGMENT_NUMBER'
  /** With the next fragment to arrive. Shared by all NOW subscribers of the stream, by name or by ARN. */
  | 'NOW'
  /** With the fragment holding `timestamp` (producer time). */
  | 'PRODUCER_TIMESTAMP'
  /** With the fragment holding `timestamp` (server time). */
  | 'SERVER_TIMESTAMP';

/** Why a sampling point has no picture (GetImages' per-image Error). */
export type ImageError =
  /** The media there gives no picture (audio only, or it could not be decoded). */
  | 'MEDIA_ERROR'
  /** No media was recorded at this instant (a gap, or outside the recording). */
  | 'NO_MEDIA';

export type ImageFormat =
  /** image/jpeg, with `quality`. */
  | 'JPEG'
  /** image/png (lossless; `quality` does not apply). */
  | 'PNG';

export type PlaybackContainerFormat =
  /** fMP4 segments (HLS and DASH). */
  | 'FRAGMENTED_MP4'
  /** MPEG-TS segments (HLS only), for older players. */
  | 'MPEG_TS';

export type PlaybackDiscontinuityMode =
  /** A discontinuity marker between every two fragments. */
  | 'ALWAYS'
  /** No markers: the player's timeline follows the fragment timestamps. */
  | 'NEVER'
  /** A marker where fragments leave a gap or overlap of more than 50 ms. */
  | 'ON_DISCONTINUITY';

export type PlaybackMode =
  /** The newest fragments, as they arrive. Needs a fragment in the last 30 seconds. */
  | 'LIVE'
  /** From range.start, each fragment added once the previous one's duration has passed; up to range.end, or on live without one. */
  | 'LIVE_REPLAY'
  /** A fixed playlist over range (at most 24 hours; 1,000 fragments by default, at most 5,000). */
  | 'ON_DEMAND';

export type PlaybackProtocol =
  /** MPEG-DASH (GetDASHStreamingSessionURL): dash.js, Shaka Player, ffmpeg. */
  | 'DASH'
  /** HTTP Live Streaming (GetHLSStreamingSessionURL): hls.js, Safari, ffmpeg, VLC. */
  | 'HLS';

/** Where playback starts and (ON_DEMAND, optionally LIVE_REPLAY) ends; both inclusive, on fragment starts. */
export type PlaybackRange = {
  end?: string | null | undefined;
  start: string;
};

export type StreamStatus =
  | 'ACTIVE'
  | 'CREATING'
  | 'DELETING'
  | 'UPDATING';

/** An inclusive range of instants; `end` must not be before `start`. */
export type TimeRange = {
  end: string;
  start: string;
};

/** Which of a fragment's timestamps a range selects on and results are ordered by. */
export type TimestampType =
  /** The producer's own timestamp of the fragment's start. */
  | 'PRODUCER_TIMESTAMP'
  /** When KVS received the fragment. */
  | 'SERVER_TIMESTAMP';

export type TrackKind =
  | 'AUDIO'
  | 'OTHER'
  | 'VIDEO';

export type ClipFieldsFragment = { url: string, expiresAt: string, timestampType: TimestampType, fragmentCount: number, sizeBytes: number, range: { start: string, end: string }, parts: Array<{ url: string, fragmentCount: number, sizeBytes: number | null, range: { start: string, end: string } }> };

export type ClipQueryVariables = Exact<{
  name?: string | null | undefined;
  arn?: string | null | undefined;
  range: TimeRange;
  timestampType?: TimestampType | null | undefined;
  expiresIn?: number | null | undefined;
}>;


export type ClipQuery = { clip:
    | { __typename: 'ClientLimitExceeded', code: string, message: string }
    | { __typename: 'Clip', url: string, expiresAt: string, timestampType: TimestampType, fragmentCount: number, sizeBytes: number, range: { start: string, end: string }, parts: Array<{ url: string, fragmentCount: number, sizeBytes: number | null, range: { start: string, end: string } }> }
    | { __typename: 'InvalidArgument', code: string, message: string, argument: string | null }
    | { __typename: 'NoDataRetention', code: string, message: string }
    | { __typename: 'NotAuthorized', code: string, message: string }
    | { __typename: 'ResourceNotFound', code: string, message: string }
    | { __typename: 'UpstreamUnavailable', code: string, message: string }
   | null };

export type StreamClipQueryVariables = Exact<{
  name: string;
  range: TimeRange;
  timestampType?: TimestampType | null | undefined;
  expiresIn?: number | null | undefined;
}>;


export type StreamClipQuery = { stream:
    | { __typename: 'ClientLimitExceeded' }
    | { __typename: 'InvalidArgument' }
    | { __typename: 'NotAuthorized' }
    | { __typename: 'ResourceNotFound' }
    | { __typename: 'Stream', clip:
        | { __typename: 'ClientLimitExceeded', code: string, message: string }
        | { __typename: 'Clip', url: string, expiresAt: string, timestampType: TimestampType, fragmentCount: number, sizeBytes: number, range: { start: string, end: string }, parts: Array<{ url: string, fragmentCount: number, sizeBytes: number | null, range: { start: string, end: string } }> }
        | { __typename: 'InvalidArgument', code: string, message: string, argument: string | null }
        | { __typename: 'NoDataRetention', code: string, message: string }
        | { __typename: 'NotAuthorized', code: string, message: string }
        | { __typename: 'ResourceNotFound', code: string, message: string }
        | { __typename: 'UpstreamUnavailable', code: string, message: string }
       | null }
    | { __typename: 'UpstreamUnavailable' }
   | null };

export type ThreeClipsQueryVariables = Exact<{
  name: string;
  range: TimeRange;
  timestampType?: TimestampType | null | undefined;
}>;


export type ThreeClipsQuery = { first:
    | { __typename: 'ClientLimitExceeded', code: string }
    | { __typename: 'Clip', fragmentCount: number }
    | { __typename: 'InvalidArgument', code: string }
    | { __typename: 'NoDataRetention', code: string }
    | { __typename: 'NotAuthorized', code: string }
    | { __typename: 'ResourceNotFound', code: string }
    | { __typename: 'UpstreamUnavailable', code: string }
   | null, second:
    | { __typename: 'ClientLimitExceeded', code: string }
    | { __typename: 'Clip', fragmentCount: number }
    | { __typename: 'InvalidArgument', code: string }
    | { __typename: 'NoDataRetention', code: string }
    | { __typename: 'NotAuthorized', code: string }
    | { __typename: 'ResourceNotFound', code: string }
    | { __typename: 'UpstreamUnavailable', code: string }
   | null, third:
    | { __typename: 'ClientLimitExceeded', code: string }
    | { __typename: 'Clip', fragmentCount: number }
    | { __typename: 'InvalidArgument', code: string }
    | { __typename: 'NoDataRetention', code: string }
    | { __typename: 'NotAuthorized', code: string }
    | { __typename: 'ResourceNotFound', code: string }
    | { __typename: 'UpstreamUnavailable', code: string }
   | null };

export type LongClipQueryVariables = Exact<{
  name: string;
  range: TimeRange;
  timestampType?: TimestampType | null | undefined;
  speed: number;
}>;


export type LongClipQuery = { clip:
    | { __typename: 'ClientLimitExceeded', code: string, message: string }
    | { __typename: 'Clip', url: string, expiresAt: string, timestampType: TimestampType, fragmentCount: number, sizeBytes: number, timelapse: { url: string, speed: number, durationMs: number } | null, range: { start: string, end: string }, parts: Array<{ url: string, fragmentCount: number, sizeBytes: number | null, range: { start: string, end: string } }> }
    | { __typename: 'InvalidArgument', code: string, message: string, argument: string | null }
    | { __typename: 'NoDataRetention', code: string, message: string }
    | { __typename: 'NotAuthorized', code: string, message: string }
    | { __typename: 'ResourceNotFound', code: string, message: string }
    | { __typename: 'UpstreamUnavailable', code: string, message: string }
   | null };

type KvsErrorFields_ClientLimitExceeded_Fragment = { __typename: 'ClientLimitExceeded', code: string, message: string, retryable: boolean, requestId: string | null };

type KvsErrorFields_ConnectionLimitExceeded_Fragment = { __typename: 'ConnectionLimitExceeded', code: string, message: string, retryable: boolean, requestId: string | null };

type KvsErrorFields_GetMediaError_Fragment = { __typename: 'GetMediaError', code: string, message: string, retryable: boolean, requestId: string | null };

type KvsErrorFields_InvalidArgument_Fragment = { __typename: 'InvalidArgument', code: string, message: string, retryable: boolean, requestId: string | null };

type KvsErrorFields_InvalidCodecPrivateData_Fragment = { __typename: 'InvalidCodecPrivateData', code: string, message: string, retryable: boolean, requestId: string | null };

type KvsErrorFields_InvalidEndpoint_Fragment = { __typename: 'InvalidEndpoint', code: string, message: string, retryable: boolean, requestId: string | null };

type KvsErrorFields_InvalidMediaFrame_Fragment = { __typename: 'InvalidMediaFrame', code: string, message: string, retryable: boolean, requestId: string | null };

type KvsErrorFields_MissingCodecPrivateData_Fragment = { __typename: 'MissingCodecPrivateData', code: string, message: string, retryable: boolean, requestId: string | null };

type KvsErrorFields_NoDataRetention_Fragment = { __typename: 'NoDataRetention', code: string, message: string, retryable: boolean, requestId: string | null };

type KvsErrorFields_NotAuthorized_Fragment = { __typename: 'NotAuthorized', code: string, message: string, retryable: boolean, requestId: string | null };

type KvsErrorFields_ResourceNotFound_Fragment = { __typename: 'ResourceNotFound', code: string, message: string, retryable: boolean, requestId: string | null };

type KvsErrorFields_UnsupportedStreamMediaType_Fragment = { __typename: 'UnsupportedStreamMediaType', code: string, message: string, retryable: boolean, requestId: string | null };

type KvsErrorFields_UpstreamUnavailable_Fragment = { __typename: 'UpstreamUnavailable', code: string, message: string, retryable: boolean, requestId: string | null };

export type KvsErrorFieldsFragment =
  | KvsErrorFields_ClientLimitExceeded_Fragment
  | KvsErrorFields_ConnectionLimitExceeded_Fragment
  | KvsErrorFields_GetMediaError_Fragment
  | KvsErrorFields_InvalidArgument_Fragment
  | KvsErrorFields_InvalidCodecPrivateData_Fragment
  | KvsErrorFields_InvalidEndpoint_Fragment
  | KvsErrorFields_InvalidMediaFrame_Fragment
  | KvsErrorFields_MissingCodecPrivateData_Fragment
  | KvsErrorFields_NoDataRetention_Fragment
  | KvsErrorFields_NotAuthorized_Fragment
  | KvsErrorFields_ResourceNotFound_Fragment
  | KvsErrorFields_UnsupportedStreamMediaType_Fragment
  | KvsErrorFields_UpstreamUnavailable_Fragment
;

export type StreamFieldsFragment = { id: string, name: string, arn: string, status: StreamStatus, mediaType: string | null, kmsKeyId: string | null, dataRetentionInHours: number, version: string, createdAt: string, deviceName: string | null };

export type ListStreamsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  nameStartsWith?: string | null | undefined;
}>;


export type ListStreamsQuery = { streams:
    | { __typename: 'ClientLimitExceeded', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'InvalidArgument', argument: string | null, code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'StreamConnection', edges: Array<{ cursor: string, node: { name: string, arn: string } }>, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null } }
    | { __typename: 'UpstreamUnavailable', httpStatus: number | null, code: string, message: string, retryable: boolean, requestId: string | null }
   | null };

export type StreamQueryVariables = Exact<{
  name?: string | null | undefined;
  arn?: string | null | undefined;
}>;


export type StreamQuery = { stream:
    | { __typename: 'ClientLimitExceeded', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'InvalidArgument', argument: string | null, code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'NotAuthorized', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'ResourceNotFound', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'Stream', id: string, name: string, arn: string, status: StreamStatus, mediaType: string | null, kmsKeyId: string | null, dataRetentionInHours: number, version: string, createdAt: string, deviceName: string | null }
    | { __typename: 'UpstreamUnavailable', httpStatus: number | null, code: string, message: string, retryable: boolean, requestId: string | null }
   | null };

export type NodeQueryVariables = Exact<{
  id: string | number;
}>;


export type NodeQuery = { node: { __typename: 'Stream', id: string, name: string, arn: string, status: StreamStatus, mediaType: string | null, kmsKeyId: string | null, dataRetentionInHours: number, version: string, createdAt: string, deviceName: string | null } | null };

export type FragmentsQueryVariables = Exact<{
  name: string;
  range: TimeRange;
  timestampType?: TimestampType | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type FragmentsQuery = { stream:
    | { __typename: 'ClientLimitExceeded', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'InvalidArgument', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'NotAuthorized', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'ResourceNotFound', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'Stream', name: string, fragments:
        | { __typename: 'ClientLimitExceeded', code: string, message: string, retryable: boolean, requestId: string | null }
        | { __typename: 'FragmentConnection', edges: Array<{ cursor: string, node: { number: string, serverTimestamp: string, producerTimestamp: string, sizeBytes: number, durationMs: number } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } }
        | { __typename: 'InvalidArgument', argument: string | null, code: string, message: string, retryable: boolean, requestId: string | null }
        | { __typename: 'NotAuthorized', code: string, message: string, retryable: boolean, requestId: string | null }
        | { __typename: 'ResourceNotFound', code: string, message: string, retryable: boolean, requestId: string | null }
        | { __typename: 'UpstreamUnavailable', httpStatus: number | null, code: string, message: string, retryable: boolean, requestId: string | null }
       | null }
    | { __typename: 'UpstreamUnavailable', code: string, message: string, retryable: boolean, requestId: string | null }
   | null };

export type StreamsWithFragmentsQueryVariables = Exact<{
  nameStartsWith?: string | null | undefined;
  range: TimeRange;
}>;


export type StreamsWithFragmentsQuery = { streams:
    | { __typename: 'ClientLimitExceeded', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'InvalidArgument', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'StreamConnection', edges: Array<{ node: { name: string, fragments:
            | { __typename: 'ClientLimitExceeded', code: string, message: string, retryable: boolean, requestId: string | null }
            | { __typename: 'FragmentConnection', edges: Array<{ node: { number: string } }> }
            | { __typename: 'InvalidArgument', code: string, message: string, retryable: boolean, requestId: string | null }
            | { __typename: 'NotAuthorized', code: string, message: string, retryable: boolean, requestId: string | null }
            | { __typename: 'ResourceNotFound', code: string, message: string, retryable: boolean, requestId: string | null }
            | { __typename: 'UpstreamUnavailable', code: string, message: string, retryable: boolean, requestId: string | null }
           | null } }> }
    | { __typename: 'UpstreamUnavailable', code: string, message: string, retryable: boolean, requestId: string | null }
   | null };

export type StreamThreeWaysQueryVariables = Exact<{
  name: string;
  arn: string;
  id: string | number;
}>;


export type StreamThreeWaysQuery = { byName:
    | { __typename: 'ClientLimitExceeded', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'InvalidArgument', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'NotAuthorized', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'ResourceNotFound', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'Stream', id: string, name: string, arn: string, status: StreamStatus, mediaType: string | null, kmsKeyId: string | null, dataRetentionInHours: number, version: string, createdAt: string, deviceName: string | null }
    | { __typename: 'UpstreamUnavailable', code: string, message: string, retryable: boolean, requestId: string | null }
   | null, byArn:
    | { __typename: 'ClientLimitExceeded', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'InvalidArgument', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'NotAuthorized', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'ResourceNotFound', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'Stream', id: string, name: string, arn: string, status: StreamStatus, mediaType: string | null, kmsKeyId: string | null, dataRetentionInHours: number, version: string, createdAt: string, deviceName: string | null }
    | { __typename: 'UpstreamUnavailable', code: string, message: string, retryable: boolean, requestId: string | null }
   | null, byId: { __typename: 'Stream', id: string, name: string, arn: string, status: StreamStatus, mediaType: string | null, kmsKeyId: string | null, dataRetentionInHours: number, version: string, createdAt: string, deviceName: string | null } | null };

export type StreamImagesQueryVariables = Exact<{
  name: string;
  range: TimeRange;
  timestampType?: TimestampType | null | undefined;
  samplingIntervalMs: number;
  format?: ImageFormat | null | undefined;
  width?: number | null | undefined;
  height?: number | null | undefined;
  quality?: number | null | undefined;
  expiresIn?: number | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type StreamImagesQuery = { stream:
    | { __typename: 'ClientLimitExceeded', code: string }
    | { __typename: 'InvalidArgument', code: string }
    | { __typename: 'NotAuthorized', code: string }
    | { __typename: 'ResourceNotFound', code: string }
    | { __typename: 'Stream', images:
        | { __typename: 'ClientLimitExceeded', code: string, message: string }
        | { __typename: 'InvalidArgument', code: string, message: string }
        | { __typename: 'NoDataRetention', code: string, message: string }
        | { __typename: 'NotAuthorized', code: string, message: string }
        | { __typename: 'ResourceNotFound', code: string, message: string }
        | { __typename: 'StreamImageConnection', edges: Array<{ cursor: string, node: { timestamp: string, url: string | null, error: ImageError | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } }
        | { __typename: 'UpstreamUnavailable', code: string, message: string }
       | null }
    | { __typename: 'UpstreamUnavailable', code: string }
   | null };

export type StreamPlaybackQueryVariables = Exact<{
  name: string;
  protocol?: PlaybackProtocol | null | undefined;
  mode?: PlaybackMode | null | undefined;
  range?: PlaybackRange | null | undefined;
  timestampType?: TimestampType | null | undefined;
  expiresIn?: number | null | undefined;
  maxFragments?: number | null | undefined;
  containerFormat?: PlaybackContainerFormat | null | undefined;
  discontinuityMode?: PlaybackDiscontinuityMode | null | undefined;
  displayFragmentTimestamp?: boolean | null | undefined;
  displayFragmentNumber?: boolean | null | undefined;
  replayFallback?: boolean | null | undefined;
}>;


export type StreamPlaybackQuery = { stream:
    | { __typename: 'ClientLimitExceeded', code: string }
    | { __typename: 'InvalidArgument', code: string }
    | { __typename: 'NotAuthorized', code: string }
    | { __typename: 'ResourceNotFound', code: string }
    | { __typename: 'Stream', playback:
        | { __typename: 'ClientLimitExceeded', code: string, message: string, retryable: boolean }
        | { __typename: 'InvalidArgument', code: string, message: string, retryable: boolean, argument: string | null }
        | { __typename: 'InvalidCodecPrivateData', code: string, message: string, retryable: boolean }
        | { __typename: 'MissingCodecPrivateData', code: string, message: string, retryable: boolean }
        | { __typename: 'NoDataRetention', code: string, message: string, retryable: boolean }
        | { __typename: 'NotAuthorized', code: string, message: string, retryable: boolean }
        | { __typename: 'PlaybackSession', url: string, protocol: PlaybackProtocol, mode: PlaybackMode, timestampType: TimestampType, expiresAt: string, replayFrom: string | null }
        | { __typename: 'ResourceNotFound', code: string, message: string, retryable: boolean }
        | { __typename: 'UnsupportedStreamMediaType', code: string, message: string, retryable: boolean }
        | { __typename: 'UpstreamUnavailable', code: string, message: string, retryable: boolean }
       | null }
    | { __typename: 'UpstreamUnavailable', code: string }
   | null };

export type PlaybackQueryVariables = Exact<{
  arn?: string | null | undefined;
  name?: string | null | undefined;
  protocol?: PlaybackProtocol | null | undefined;
  mode?: PlaybackMode | null | undefined;
  range?: PlaybackRange | null | undefined;
}>;


export type PlaybackQuery = { playback:
    | { __typename: 'ClientLimitExceeded', code: string }
    | { __typename: 'InvalidArgument', code: string }
    | { __typename: 'InvalidCodecPrivateData', code: string }
    | { __typename: 'MissingCodecPrivateData', code: string }
    | { __typename: 'NoDataRetention', code: string }
    | { __typename: 'NotAuthorized', code: string }
    | { __typename: 'PlaybackSession', url: string, protocol: PlaybackProtocol, mode: PlaybackMode, expiresAt: string }
    | { __typename: 'ResourceNotFound', code: string }
    | { __typename: 'UnsupportedStreamMediaType', code: string }
    | { __typename: 'UpstreamUnavailable', code: string }
   | null };

export type LiveFragmentsSubscriptionVariables = Exact<{
  name?: string | null | undefined;
  arn?: string | null | undefined;
  start?: FragmentStart | null | undefined;
}>;


export type LiveFragmentsSubscription = { fragments:
    | { __typename: 'ClientLimitExceeded', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'ConnectionLimitExceeded', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'FragmentEvent', fragmentNumber: string, serverTimestamp: string | null, producerTimestamp: string | null, millisBehindNow: number | null, continuationToken: string | null, complete: boolean, blockCount: number, keyframeCount: number, byteSize: number, durationMs: number | null, tracks: Array<{ number: number, kind: TrackKind, codecId: string, width: number | null, height: number | null }> }
    | { __typename: 'GetMediaError', code: string, message: string, retryable: boolean, requestId: string | null, errorId: number | null, meaning: string | null }
    | { __typename: 'InvalidArgument', code: string, message: string, retryable: boolean, requestId: string | null, argument: string | null }
    | { __typename: 'InvalidEndpoint', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'NotAuthorized', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'ResourceNotFound', code: string, message: string, retryable: boolean, requestId: string | null }
    | { __typename: 'ShuttingDown' }
    | { __typename: 'SlowSubscriber', message: string, bufferSize: number, continuationToken: string | null }
    | { __typename: 'UpstreamUnavailable', code: string, message: string, retryable: boolean, requestId: string | null }
   };

export type RecordingsQueryVariables = Exact<{
  name: string;
  range: TimeRange;
  first?: number | null | undefined;
  after?: string | null | undefined;
  maxGapMs?: number | null | undefined;
}>;


export type RecordingsQuery = { stream:
    | { __typename: 'ClientLimitExceeded' }
    | { __typename: 'InvalidArgument' }
    | { __typename: 'NotAuthorized' }
    | { __typename: 'ResourceNotFound' }
    | { __typename: 'Stream', recordings:
        | { __typename: 'ClientLimitExceeded', message: string }
        | { __typename: 'InvalidArgument', message: string }
        | { __typename: 'NotAuthorized', message: string }
        | { __typename: 'RecordingConnection', pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { start: string, end: string, durationMs: number, fragmentCount: number, sizeBytes: number, gapBefore: { start: string, end: string, durationMs: number } | null } }> }
        | { __typename: 'ResourceNotFound', message: string }
        | { __typename: 'UpstreamUnavailable', message: string }
       | null }
    | { __typename: 'UpstreamUnavailable' }
   | null };

export type CoverageQueryVariables = Exact<{
  name: string;
  range: TimeRange;
  bucket: CoverageBucketUnit;
  timeZone?: string | null | undefined;
}>;


export type CoverageQuery = { stream:
    | { __typename: 'ClientLimitExceeded' }
    | { __typename: 'InvalidArgument' }
    | { __typename: 'NotAuthorized' }
    | { __typename: 'ResourceNotFound' }
    | { __typename: 'Stream', coverage:
        | { __typename: 'ClientLimitExceeded', message: string }
        | { __typename: 'Coverage', timeZone: string, buckets: Array<{ start: string, end: string, recordedMs: number, ratio: number, fragmentCount: number, sizeBytes: number }> }
        | { __typename: 'InvalidArgument', message: string }
        | { __typename: 'NotAuthorized', message: string }
        | { __typename: 'ResourceNotFound', message: string }
        | { __typename: 'UpstreamUnavailable', message: string }
       | null }
    | { __typename: 'UpstreamUnavailable' }
   | null };

export type TimelineFragmentsQueryVariables = Exact<{
  name: string;
  range: TimeRange;
}>;


export type TimelineFragmentsQuery = { stream:
    | { __typename: 'ClientLimitExceeded' }
    | { __typename: 'InvalidArgument' }
    | { __typename: 'NotAuthorized' }
    | { __typename: 'ResourceNotFound' }
    | { __typename: 'Stream', fragments:
        | { __typename: 'ClientLimitExceeded' }
        | { __typename: 'FragmentConnection', edges: Array<{ node: { number: string, producerTimestamp: string, durationMs: number, sizeBytes: number } }> }
        | { __typename: 'InvalidArgument' }
        | { __typename: 'NotAuthorized' }
        | { __typename: 'ResourceNotFound' }
        | { __typename: 'UpstreamUnavailable' }
       | null }
    | { __typename: 'UpstreamUnavailable' }
   | null };

export const ClipFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ClipFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Clip"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"timestampType"}},{"kind":"Field","name":{"kind":"Name","value":"fragmentCount"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"range"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"end"}}]}},{"kind":"Field","name":{"kind":"Name","value":"parts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"fragmentCount"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"range"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"end"}}]}}]}}]}}]} as unknown as DocumentNode<ClipFieldsFragment, unknown>;
export const KvsErrorFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"KvsErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}}]}}]} as unknown as DocumentNode<KvsErrorFieldsFragment, unknown>;
export const StreamFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StreamFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Stream"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"arn"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"mediaType"}},{"kind":"Field","name":{"kind":"Name","value":"kmsKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"dataRetentionInHours"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"deviceName"}}]}}]} as unknown as DocumentNode<StreamFieldsFragment, unknown>;
export const ClipDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Clip"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"arn"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"range"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TimeRange"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"timestampType"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"TimestampType"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"expiresIn"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clip"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}},{"kind":"Argument","name":{"kind":"Name","value":"arn"},"value":{"kind":"Variable","name":{"kind":"Name","value":"arn"}}},{"kind":"Argument","name":{"kind":"Name","value":"range"},"value":{"kind":"Variable","name":{"kind":"Name","value":"range"}}},{"kind":"Argument","name":{"kind":"Name","value":"timestampType"},"value":{"kind":"Variable","name":{"kind":"Name","value":"timestampType"}}},{"kind":"Argument","name":{"kind":"Name","value":"expiresIn"},"value":{"kind":"Variable","name":{"kind":"Name","value":"expiresIn"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"ClipFields"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidArgument"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"argument"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ClipFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Clip"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"timestampType"}},{"kind":"Field","name":{"kind":"Name","value":"fragmentCount"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"range"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"end"}}]}},{"kind":"Field","name":{"kind":"Name","value":"parts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"fragmentCount"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"range"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"end"}}]}}]}}]}}]} as unknown as DocumentNode<ClipQuery, ClipQueryVariables>;
export const StreamClipDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StreamClip"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"range"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TimeRange"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"timestampType"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"TimestampType"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"expiresIn"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Stream"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clip"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"range"},"value":{"kind":"Variable","name":{"kind":"Name","value":"range"}}},{"kind":"Argument","name":{"kind":"Name","value":"timestampType"},"value":{"kind":"Variable","name":{"kind":"Name","value":"timestampType"}}},{"kind":"Argument","name":{"kind":"Name","value":"expiresIn"},"value":{"kind":"Variable","name":{"kind":"Name","value":"expiresIn"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"ClipFields"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidArgument"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"argument"}}]}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ClipFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Clip"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"timestampType"}},{"kind":"Field","name":{"kind":"Name","value":"fragmentCount"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"range"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"end"}}]}},{"kind":"Field","name":{"kind":"Name","value":"parts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"fragmentCount"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"range"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"end"}}]}}]}}]}}]} as unknown as DocumentNode<StreamClipQuery, StreamClipQueryVariables>;
export const ThreeClipsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ThreeClips"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"range"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TimeRange"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"timestampType"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"TimestampType"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"first"},"name":{"kind":"Name","value":"clip"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}},{"kind":"Argument","name":{"kind":"Name","value":"range"},"value":{"kind":"Variable","name":{"kind":"Name","value":"range"}}},{"kind":"Argument","name":{"kind":"Name","value":"timestampType"},"value":{"kind":"Variable","name":{"kind":"Name","value":"timestampType"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Clip"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"fragmentCount"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}},{"kind":"Field","alias":{"kind":"Name","value":"second"},"name":{"kind":"Name","value":"clip"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}},{"kind":"Argument","name":{"kind":"Name","value":"range"},"value":{"kind":"Variable","name":{"kind":"Name","value":"range"}}},{"kind":"Argument","name":{"kind":"Name","value":"timestampType"},"value":{"kind":"Variable","name":{"kind":"Name","value":"timestampType"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Clip"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"fragmentCount"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}},{"kind":"Field","alias":{"kind":"Name","value":"third"},"name":{"kind":"Name","value":"clip"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}},{"kind":"Argument","name":{"kind":"Name","value":"range"},"value":{"kind":"Variable","name":{"kind":"Name","value":"range"}}},{"kind":"Argument","name":{"kind":"Name","value":"timestampType"},"value":{"kind":"Variable","name":{"kind":"Name","value":"timestampType"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Clip"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"fragmentCount"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<ThreeClipsQuery, ThreeClipsQueryVariables>;
export const LongClipDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LongClip"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"range"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TimeRange"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"timestampType"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"TimestampType"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"speed"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clip"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}},{"kind":"Argument","name":{"kind":"Name","value":"range"},"value":{"kind":"Variable","name":{"kind":"Name","value":"range"}}},{"kind":"Argument","name":{"kind":"Name","value":"timestampType"},"value":{"kind":"Variable","name":{"kind":"Name","value":"timestampType"}}},{"kind":"Argument","name":{"kind":"Name","value":"timelapse"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"speed"},"value":{"kind":"Variable","name":{"kind":"Name","value":"speed"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"ClipFields"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Clip"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timelapse"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"speed"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidArgument"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"argument"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ClipFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Clip"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"timestampType"}},{"kind":"Field","name":{"kind":"Name","value":"fragmentCount"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"range"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"end"}}]}},{"kind":"Field","name":{"kind":"Name","value":"parts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"fragmentCount"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"range"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"end"}}]}}]}}]}}]} as unknown as DocumentNode<LongClipQuery, LongClipQueryVariables>;
export const ListStreamsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ListStreams"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"nameStartsWith"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"streams"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"nameStartsWith"},"value":{"kind":"Variable","name":{"kind":"Name","value":"nameStartsWith"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"StreamConnection"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"arn"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"KvsErrorFields"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidArgument"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"argument"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UpstreamUnavailable"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"httpStatus"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"KvsErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}}]}}]} as unknown as DocumentNode<ListStreamsQuery, ListStreamsQueryVariables>;
export const StreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Stream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"arn"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}},{"kind":"Argument","name":{"kind":"Name","value":"arn"},"value":{"kind":"Variable","name":{"kind":"Name","value":"arn"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"StreamFields"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"KvsErrorFields"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidArgument"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"argument"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UpstreamUnavailable"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"httpStatus"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StreamFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Stream"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"arn"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"mediaType"}},{"kind":"Field","name":{"kind":"Name","value":"kmsKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"dataRetentionInHours"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"deviceName"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"KvsErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}}]}}]} as unknown as DocumentNode<StreamQuery, StreamQueryVariables>;
export const NodeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Node"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"StreamFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StreamFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Stream"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"arn"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"mediaType"}},{"kind":"Field","name":{"kind":"Name","value":"kmsKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"dataRetentionInHours"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"deviceName"}}]}}]} as unknown as DocumentNode<NodeQuery, NodeQueryVariables>;
export const FragmentsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Fragments"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"range"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TimeRange"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"timestampType"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"TimestampType"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Stream"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"fragments"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"range"},"value":{"kind":"Variable","name":{"kind":"Name","value":"range"}}},{"kind":"Argument","name":{"kind":"Name","value":"timestampType"},"value":{"kind":"Variable","name":{"kind":"Name","value":"timestampType"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"FragmentConnection"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"serverTimestamp"}},{"kind":"Field","name":{"kind":"Name","value":"producerTimestamp"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"KvsErrorFields"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidArgument"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"argument"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UpstreamUnavailable"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"httpStatus"}}]}}]}}]}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"KvsErrorFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"KvsErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}}]}}]} as unknown as DocumentNode<FragmentsQuery, FragmentsQueryVariables>;
export const StreamsWithFragmentsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StreamsWithFragments"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"nameStartsWith"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"range"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TimeRange"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"streams"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}},{"kind":"Argument","name":{"kind":"Name","value":"nameStartsWith"},"value":{"kind":"Variable","name":{"kind":"Name","value":"nameStartsWith"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"StreamConnection"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"fragments"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"range"},"value":{"kind":"Variable","name":{"kind":"Name","value":"range"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"5"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"FragmentConnection"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"number"}}]}}]}}]}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"KvsErrorFields"}}]}}]}}]}}]}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"KvsErrorFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"KvsErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}}]}}]} as unknown as DocumentNode<StreamsWithFragmentsQuery, StreamsWithFragmentsQueryVariables>;
export const StreamThreeWaysDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StreamThreeWays"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"arn"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"byName"},"name":{"kind":"Name","value":"stream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"StreamFields"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"KvsErrorFields"}}]}},{"kind":"Field","alias":{"kind":"Name","value":"byArn"},"name":{"kind":"Name","value":"stream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"arn"},"value":{"kind":"Variable","name":{"kind":"Name","value":"arn"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"StreamFields"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"KvsErrorFields"}}]}},{"kind":"Field","alias":{"kind":"Name","value":"byId"},"name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"StreamFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StreamFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Stream"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"arn"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"mediaType"}},{"kind":"Field","name":{"kind":"Name","value":"kmsKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"dataRetentionInHours"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"deviceName"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"KvsErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}}]}}]} as unknown as DocumentNode<StreamThreeWaysQuery, StreamThreeWaysQueryVariables>;
export const StreamImagesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StreamImages"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"range"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TimeRange"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"timestampType"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"TimestampType"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"samplingIntervalMs"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"format"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ImageFormat"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"width"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"height"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"quality"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"expiresIn"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Stream"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"images"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"range"},"value":{"kind":"Variable","name":{"kind":"Name","value":"range"}}},{"kind":"Argument","name":{"kind":"Name","value":"timestampType"},"value":{"kind":"Variable","name":{"kind":"Name","value":"timestampType"}}},{"kind":"Argument","name":{"kind":"Name","value":"samplingIntervalMs"},"value":{"kind":"Variable","name":{"kind":"Name","value":"samplingIntervalMs"}}},{"kind":"Argument","name":{"kind":"Name","value":"format"},"value":{"kind":"Variable","name":{"kind":"Name","value":"format"}}},{"kind":"Argument","name":{"kind":"Name","value":"width"},"value":{"kind":"Variable","name":{"kind":"Name","value":"width"}}},{"kind":"Argument","name":{"kind":"Name","value":"height"},"value":{"kind":"Variable","name":{"kind":"Name","value":"height"}}},{"kind":"Argument","name":{"kind":"Name","value":"quality"},"value":{"kind":"Variable","name":{"kind":"Name","value":"quality"}}},{"kind":"Argument","name":{"kind":"Name","value":"expiresIn"},"value":{"kind":"Variable","name":{"kind":"Name","value":"expiresIn"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"StreamImageConnection"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<StreamImagesQuery, StreamImagesQueryVariables>;
export const StreamPlaybackDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StreamPlayback"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"protocol"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"PlaybackProtocol"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"mode"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"PlaybackMode"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"range"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"PlaybackRange"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"timestampType"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"TimestampType"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"expiresIn"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"maxFragments"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"containerFormat"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"PlaybackContainerFormat"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"discontinuityMode"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"PlaybackDiscontinuityMode"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"displayFragmentTimestamp"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"displayFragmentNumber"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"replayFallback"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Stream"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"playback"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"protocol"},"value":{"kind":"Variable","name":{"kind":"Name","value":"protocol"}}},{"kind":"Argument","name":{"kind":"Name","value":"mode"},"value":{"kind":"Variable","name":{"kind":"Name","value":"mode"}}},{"kind":"Argument","name":{"kind":"Name","value":"range"},"value":{"kind":"Variable","name":{"kind":"Name","value":"range"}}},{"kind":"Argument","name":{"kind":"Name","value":"timestampType"},"value":{"kind":"Variable","name":{"kind":"Name","value":"timestampType"}}},{"kind":"Argument","name":{"kind":"Name","value":"expiresIn"},"value":{"kind":"Variable","name":{"kind":"Name","value":"expiresIn"}}},{"kind":"Argument","name":{"kind":"Name","value":"maxFragments"},"value":{"kind":"Variable","name":{"kind":"Name","value":"maxFragments"}}},{"kind":"Argument","name":{"kind":"Name","value":"containerFormat"},"value":{"kind":"Variable","name":{"kind":"Name","value":"containerFormat"}}},{"kind":"Argument","name":{"kind":"Name","value":"discontinuityMode"},"value":{"kind":"Variable","name":{"kind":"Name","value":"discontinuityMode"}}},{"kind":"Argument","name":{"kind":"Name","value":"displayFragmentTimestamp"},"value":{"kind":"Variable","name":{"kind":"Name","value":"displayFragmentTimestamp"}}},{"kind":"Argument","name":{"kind":"Name","value":"displayFragmentNumber"},"value":{"kind":"Variable","name":{"kind":"Name","value":"displayFragmentNumber"}}},{"kind":"Argument","name":{"kind":"Name","value":"replayFallback"},"value":{"kind":"Variable","name":{"kind":"Name","value":"replayFallback"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PlaybackSession"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"protocol"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"timestampType"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"replayFrom"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidArgument"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"argument"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<StreamPlaybackQuery, StreamPlaybackQueryVariables>;
export const PlaybackDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Playback"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"arn"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"protocol"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"PlaybackProtocol"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"mode"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"PlaybackMode"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"range"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"PlaybackRange"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"playback"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"arn"},"value":{"kind":"Variable","name":{"kind":"Name","value":"arn"}}},{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}},{"kind":"Argument","name":{"kind":"Name","value":"protocol"},"value":{"kind":"Variable","name":{"kind":"Name","value":"protocol"}}},{"kind":"Argument","name":{"kind":"Name","value":"mode"},"value":{"kind":"Variable","name":{"kind":"Name","value":"mode"}}},{"kind":"Argument","name":{"kind":"Name","value":"range"},"value":{"kind":"Variable","name":{"kind":"Name","value":"range"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PlaybackSession"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"protocol"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<PlaybackQuery, PlaybackQueryVariables>;
export const LiveFragmentsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LiveFragments"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"arn"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"start"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"FragmentStart"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"fragments"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}},{"kind":"Argument","name":{"kind":"Name","value":"arn"},"value":{"kind":"Variable","name":{"kind":"Name","value":"arn"}}},{"kind":"Argument","name":{"kind":"Name","value":"start"},"value":{"kind":"Variable","name":{"kind":"Name","value":"start"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"FragmentEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"fragmentNumber"}},{"kind":"Field","name":{"kind":"Name","value":"serverTimestamp"}},{"kind":"Field","name":{"kind":"Name","value":"producerTimestamp"}},{"kind":"Field","name":{"kind":"Name","value":"millisBehindNow"}},{"kind":"Field","name":{"kind":"Name","value":"continuationToken"}},{"kind":"Field","name":{"kind":"Name","value":"complete"}},{"kind":"Field","name":{"kind":"Name","value":"blockCount"}},{"kind":"Field","name":{"kind":"Name","value":"keyframeCount"}},{"kind":"Field","name":{"kind":"Name","value":"byteSize"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}},{"kind":"Field","name":{"kind":"Name","value":"tracks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"codecId"}},{"kind":"Field","name":{"kind":"Name","value":"width"}},{"kind":"Field","name":{"kind":"Name","value":"height"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"retryable"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidArgument"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"argument"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"GetMediaError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"errorId"}},{"kind":"Field","name":{"kind":"Name","value":"meaning"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SlowSubscriber"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"bufferSize"}},{"kind":"Field","name":{"kind":"Name","value":"continuationToken"}}]}}]}}]}}]} as unknown as DocumentNode<LiveFragmentsSubscription, LiveFragmentsSubscriptionVariables>;
export const RecordingsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Recordings"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"range"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TimeRange"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"maxGapMs"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Stream"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recordings"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"range"},"value":{"kind":"Variable","name":{"kind":"Name","value":"range"}}},{"kind":"Argument","name":{"kind":"Name","value":"timestampType"},"value":{"kind":"EnumValue","value":"PRODUCER_TIMESTAMP"}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"maxGapMs"},"value":{"kind":"Variable","name":{"kind":"Name","value":"maxGapMs"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RecordingConnection"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"end"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}},{"kind":"Field","name":{"kind":"Name","value":"fragmentCount"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"gapBefore"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"end"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}}]}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<RecordingsQuery, RecordingsQueryVariables>;
export const CoverageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Coverage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"range"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TimeRange"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"bucket"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CoverageBucketUnit"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"timeZone"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Stream"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"coverage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"range"},"value":{"kind":"Variable","name":{"kind":"Name","value":"range"}}},{"kind":"Argument","name":{"kind":"Name","value":"bucket"},"value":{"kind":"Variable","name":{"kind":"Name","value":"bucket"}}},{"kind":"Argument","name":{"kind":"Name","value":"timeZone"},"value":{"kind":"Variable","name":{"kind":"Name","value":"timeZone"}}},{"kind":"Argument","name":{"kind":"Name","value":"timestampType"},"value":{"kind":"EnumValue","value":"PRODUCER_TIMESTAMP"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Coverage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timeZone"}},{"kind":"Field","name":{"kind":"Name","value":"buckets"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"end"}},{"kind":"Field","name":{"kind":"Name","value":"recordedMs"}},{"kind":"Field","name":{"kind":"Name","value":"ratio"}},{"kind":"Field","name":{"kind":"Name","value":"fragmentCount"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"KvsError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<CoverageQuery, CoverageQueryVariables>;
export const TimelineFragmentsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TimelineFragments"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"range"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TimeRange"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Stream"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"fragments"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"range"},"value":{"kind":"Variable","name":{"kind":"Name","value":"range"}}},{"kind":"Argument","name":{"kind":"Name","value":"timestampType"},"value":{"kind":"EnumValue","value":"PRODUCER_TIMESTAMP"}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"1000"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"FragmentConnection"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"producerTimestamp"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}}]}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<TimelineFragmentsQuery, TimelineFragmentsQueryVariables>;