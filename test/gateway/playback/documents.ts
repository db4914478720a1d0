// The playback operations the playback tests run; `npm run codegen` types them into test/generated.

import { graphql } from "../../generated/index.ts";

export const StreamPlaybackQuery = graphql(/* GraphQL */ `
  query StreamPlayback(
    $name: String!
    $protocol: PlaybackProtocol
    $mode: PlaybackMode
    $range: PlaybackRange
    $timestampType: TimestampType
    $expiresIn: Int
    $maxFragments: Int
    $containerFormat: PlaybackContainerFormat
    $discontinuityMode: PlaybackDiscontinuityMode
    $displayFragmentTimestamp: Boolean
    $displayFragmentNumber: Boolean
    $replayFallback: Boolean
  ) {
    stream(name: $name) {
      __typename
      ... on Stream {
        playback(
          protocol: $protocol
          mode: $mode
          range: $range
          timestampType: $timestampType
          expiresIn: $expiresIn
          maxFragments: $maxFragments
          containerFormat: $containerFormat
          discontinuityMode: $discontinuityMode
          displayFragmentTimestamp: $displayFragmentTimestamp
          displayFragmentNumber: $displayFragmentNumber
          replayFallback: $replayFallback
        ) {
          __typename
          ... on PlaybackSession {
            url
            protocol
            mode
            timestampType
            expiresAt
            replayFrom
          }
          ... on KvsError {
            code
            message
            retryable
          }
          ... on InvalidArgument {
            argument
          }
        }
      }
      ... on KvsError {
        code
      }
    }
  }
`);

export const PlaybackQuery = graphql(/* GraphQL */ `
  query Playback($arn: String, $name: String, $protocol: PlaybackProtocol, $mode: PlaybackMode, $range: PlaybackRange) {
    playback(arn: $arn, name: $name, protocol: $protocol, mode: $mode, range: $range) {
      __typename
      ... on PlaybackSession {
        url
        protocol
        mode
        expiresAt
      }
      ... on KvsError {
        code
      }
    }
  }
`);
