// The clip operations the clip tests run; `npm run codegen` types them into test/generated.

import { graphql } from "../../generated/index.ts";

export const ClipFields = graphql(/* GraphQL */ `
  fragment ClipFields on Clip {
    url
    expiresAt
    timestampType
    fragmentCount
    sizeBytes
    range {
      start
      end
    }
    parts {
      url
      fragmentCount
      sizeBytes
      range {
        start
        end
      }
    }
  }
`);

export const ClipQuery = graphql(/* GraphQL */ `
  query Clip(
    $name: String
    $arn: String
    $range: TimeRange!
    $timestampType: TimestampType
    $expiresIn: Int
  ) {
    clip(name: $name, arn: $arn, range: $range, timestampType: $timestampType, expiresIn: $expiresIn) {
      __typename
      ...ClipFields
      ... on KvsError {
        code
        message
      }
      ... on InvalidArgument {
        argument
      }
    }
  }
`);

export const StreamClipQuery = graphql(/* GraphQL */ `
  query StreamClip($name: String!, $range: TimeRange!, $timestampType: TimestampType, $expiresIn: Int) {
    stream(name: $name) {
      __typename
      ... on Stream {
        clip(range: $range, timestampType: $timestampType, expiresIn: $expiresIn) {
          __typename
          ...ClipFields
          ... on KvsError {
            code
            message
          }
          ... on InvalidArgument {
            argument
          }
        }
      }
    }
  }
`);

export const ThreeClipsQuery = graphql(/* GraphQL */ `
  query ThreeClips($name: String!, $range: TimeRange!, $timestampType: TimestampType) {
    first: clip(name: $name, range: $range, timestampType: $timestampType) {
      __typename
      ... on Clip {
        fragmentCount
      }
      ... on KvsError {
        code
      }
    }
    second: clip(name: $name, range: $range, timestampType: $timestampType) {
      __typename
      ... on Clip {
        fragmentCount
      }
      ... on KvsError {
        code
      }
    }
    third: clip(name: $name, range: $range, timestampType: $timestampType) {
      __typename
      ... on Clip {
        fragmentCount
      }
      ... on KvsError {
        code
      }
    }
  }
`);

export const LongClipQuery = graphql(/* GraphQL */ `
  query LongClip($name: String!, $range: TimeRange!, $timestampType: TimestampType, $speed: Int!) {
    clip(name: $name, range: $range, timestampType: $timestampType, timelapse: { speed: $speed }) {
      __typename
      ...ClipFields
      ... on Clip {
        timelapse {
          url
          speed
          durationMs
        }
      }
      ... on KvsError {
        code
        message
      }
      ... on InvalidArgument {
        argument
      }
    }
  }
`);
