// The timeline operations the timeline tests run; `npm run codegen` types them into test/generated.

import { graphql } from "../../generated/index.ts";

export const RecordingsQuery = graphql(/* GraphQL */ `
  query Recordings(
    $name: String!
    $range: TimeRange!
    $first: Int
    $after: String
    $maxGapMs: Int
  ) {
    stream(name: $name) {
      __typename
      ... on Stream {
        recordings(
          range: $range
          timestampType: PRODUCER_TIMESTAMP
          first: $first
          after: $after
          maxGapMs: $maxGapMs
        ) {
          __typename
          ... on RecordingConnection {
            pageInfo {
              hasNextPage
              endCursor
            }
            edges {
              node {
                start
                end
                durationMs
                fragmentCount
                sizeBytes
                gapBefore {
                  start
                  end
                  durationMs
                }
              }
            }
          }
          ... on KvsError {
            message
          }
        }
      }
    }
  }
`);

export const CoverageQuery = graphql(/* GraphQL */ `
  query Coverage(
    $name: String!
    $range: TimeRange!
    $bucket: CoverageBucketUnit!
    $timeZone: String
  ) {
    stream(name: $name) {
      __typename
      ... on Stream {
        coverage(
          range: $range
          bucket: $bucket
          timeZone: $timeZone
          timestampType: PRODUCER_TIMESTAMP
        ) {
          __typename
          ... on Coverage {
            timeZone
            buckets {
              start
              end
              recordedMs
              ratio
              fragmentCount
              sizeBytes
            }
          }
          ... on KvsError {
            message
          }
        }
      }
    }
  }
`);

export const TimelineFragmentsQuery = graphql(/* GraphQL */ `
  query TimelineFragments($name: String!, $range: TimeRange!) {
    stream(name: $name) {
      __typename
      ... on Stream {
        fragments(range: $range, timestampType: PRODUCER_TIMESTAMP, first: 1000) {
          __typename
          ... on FragmentConnection {
            edges {
              node {
                number
                producerTimestamp
                durationMs
                sizeBytes
              }
            }
          }
        }
      }
    }
  }
`);
