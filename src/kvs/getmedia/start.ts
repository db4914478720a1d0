// Where a GetMedia session starts, in the shape the SDK expects.
import type { StartSelector as SdkStartSelector } from "@aws-sdk/client-kinesis-video-media";

export type StartSelector =
  | { type: "NOW" }
  | { type: "EARLIEST" }
  | { type: "FRAGMENT_NUMBER"; afterFragmentNumber: string }
  | { type: "SERVER_TIMESTAMP"; timestamp: Date }
  | { type: "PRODUCER_TIMESTAMP"; timestamp: Date }
  | { type: "CONTINUATION_TOKEN"; continuationToken: string };

export function toSdkStartSelector(start: StartSelector): SdkStartSelector {
  switch (start.type) {
    case "NOW":
    case "EARLIEST":
      return { StartSelectorType: start.type };
    case "FRAGMENT_NUMBER":
      return { StartSelectorType: start.type, AfterFragmentNumber: start.afterFragmentNumber };
    case "SERVER_TIMESTAMP":
    case "PRODUCER_TIMESTAMP":
      return { StartSelectorType: start.type, StartTimestamp: start.timestamp };
    case "CONTINUATION_TOKEN":
      return { StartSelectorType: start.type, ContinuationToken: start.continuationToken };
  }
}
