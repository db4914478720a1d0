// The operations the gateway tests run; `npm run codegen` types them into test/generated.

import { graphql } from "../generated/index.ts";

export const KvsErrorFields = graphql(/* GraphQL */ `
  fragment KvsErrorFields on KvsError {
    __typename
    code
    message
    retryable
    requestId
  }
`);

export const StreamFields = graphql(/* GraphQL */ `
  fragment StreamFields on Stream {
    id
    name
    arn
    status
    mediaType
    kmsKeyId
    dataRetentionInHours
    version
    createdAt
    deviceName
  }
`);

export const ListStreamsQuery = graphql(/* GraphQL */ `
  query ListStreams($first: Int, $after: String, $nameStartsWith: String) {
    streams(first: $first, after: $after, nameStartsWith: $nameStartsWith) {
      __typename
      ... on StreamConnection {
        edges {
          cursor
          node {
            name
            arn
          }
        }
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
      }
      ...KvsErrorFields
      ... on InvalidArgument {
        argument
      }
      ... on UpstreamUnavailable {
        httpStatus
      }
    }
  }
`);

export const StreamQuery = graphql(/* GraphQL */ `
  query Stream($name: String, $arn: String) {
    stream(name: $name, arn: $arn) {
      __typename
      ...StreamFields
      ...KvsErrorFields
      ... on InvalidArgument {
        argument
      }
      ... on UpstreamUnavailable {
        httpStatus
      }
    }
  }
`);

export const NodeQuery = graphql(/* GraphQL */ `
  query Node($id: ID!) {
    node(id: $id) {
      __typename
      id
      ...StreamFields
    }
  }
`);

export const FragmentsQuery = graphql(/* GraphQL */ `
  query Fragments(
    $name: String!
    $range: TimeRange!
    $timestampType: TimestampType
    $first: Int
    $after: String
  ) {
    stream(name: $name) {
      __typename
      ... on Stream {
        name
        fragments(range: $range, timestampType: $timestampType, first: $first, after: $after) {
          __typename
          ... on FragmentConnection {
            edges {
              cursor
              node {
                number
                serverTimestamp
                producerTimestamp
                sizeBytes
                durationMs
              }
            }
            pageInfo {
              hasNextPage
              endCursor
            }
          }
          ...KvsErrorFields
          ... on InvalidArgument {
            argument
          }
          ... on UpstreamUnavailable {
            httpStatus
          }
        }
      }
      ...KvsErrorFields
    }
  }
`);

export const StreamsWithFragmentsQuery = graphql(/* GraphQL */ `
  query StreamsWithFragments($nameStartsWith: String, $range: TimeRange!) {
    streams(first: 50, nameStartsWith: $nameStartsWith) {
      __typename
      ... on StreamConnection {
        edges {
          node {
            name
            fragments(range: $range, first: 5) {
              __typename
              ... on FragmentConnection {
                edges {
                  node {
                    number
                  }
                }
              }
              ...KvsErrorFields
            }
          }
        }
      }
      ...KvsErrorFields
    }
  }
`);

export const StreamThreeWaysQuery = graphql(/* GraphQL */ `
  query StreamThreeWays($name: String!, $arn: String!, $id: ID!) {
    byName: stream(name: $name) {
      __typename
      ...StreamFields
      ...KvsErrorFields
    }
    byArn: stream(arn: $arn) {
      __typename
      ...StreamFields
      ...KvsErrorFields
    }
    byId: node(id: $id) {
      __typename
      ...StreamFields
    }
  }
`);
