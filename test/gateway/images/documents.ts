// The thumbnail query the image tests run (and the viewer's shape); `npm run codegen` types it.

import { graphql } from "../../generated/index.ts";

export const StreamImagesQuery = graphql(/* GraphQL */ `
  query StreamImages(
    $name: String!
    $range: TimeRange!
    $timestampType: TimestampType
    $samplingIntervalMs: Int!
    $format: ImageFormat
    $width: Int
    $height: Int
    $quality: Int
    $expiresIn: Int
    $first: Int
    $after: String
  ) {
    stream(name: $name) {
      __typename
      ... on KvsError {
        code
      }
      ... on Stream {
        images(
          range: $range
          timestampType: $timestampType
          samplingIntervalMs: $samplingIntervalMs
          format: $format
          width: $width
          height: $height
          quality: $quality
          expiresIn: $expiresIn
          first: $first
          after: $after
        ) {
          __typename
          ... on KvsError {
            code
            message
          }
          ... on StreamImageConnection {
            edges {
              cursor
              node {
                timestamp
                url
                error
              }
            }
            pageInfo {
              hasNextPage
              endCursor
            }
          }
        }
      }
    }
  }
`);
