// The subscription tests' operations; `npm run codegen` types them into test/generated.

import { graphql } from "../../generated/index.ts";

export const FragmentsSubscription = graphql(/* GraphQL */ `
  subscription LiveFragments($name: String, $arn: String, $start: FragmentStart) {
    fragments(name: $name, arn: $arn, start: $start) {
      __typename
      ... on FragmentEvent {
        fragmentNumber
        serverTimestamp
        producerTimestamp
        millisBehindNow
        continuationToken
        complete
        blockCount
        keyframeCount
        byteSize
        durationMs
        tracks {
          number
          kind
          codecId
          width
          height
        }
      }
      ... on KvsError {
        code
        message
        retryable
        requestId
      }
      ... on InvalidArgument {
        argument
      }
      ... on GetMediaError {
        errorId
        meaning
      }
      ... on SlowSubscriber {
        message
        bufferSize
        continuationToken
      }
    }
  }
`);
