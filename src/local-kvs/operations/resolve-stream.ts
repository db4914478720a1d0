import { resourceNotFound } from "../errors.ts";
import type { FragmentStore, StreamRecord } from "../store/types.ts";
import { type RequestInput, readStreamSelector, type StreamSelector } from "../validation.ts";

/** Finds the stream named by a StreamName/StreamARN selector, or throws ResourceNotFoundException. */
export function findStream(store: FragmentStore, selector: StreamSelector): StreamRecord {
  const stream =
    selector.streamArn !== undefined
      ? store.getStreamByArn(selector.streamArn)
      : store.getStreamByName(selector.streamName ?? "");
  if (!stream || stream.status === "DELETING") {
    throw resourceNotFound(
      selector.streamArn !== undefined
        ? `The requested stream ${selector.streamArn} was not found or is not active.`
        : `The requested stream ${selector.streamName} was not found or is not active.`,
    );
  }
  return stream;
}

/** Reads StreamName/StreamARN from the request and finds the stream. */
export function streamFromInput(store: FragmentStore, input: RequestInput): StreamRecord {
  return findStream(store, readStreamSelector(input));
}
