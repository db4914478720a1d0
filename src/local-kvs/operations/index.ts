// Every operation the server answers, one module each. `POST /<lowerCamelOperation>` reaches
// the handler whose `operation` matches (GetMedia → /getMedia). Add an operation with one line.

import { getClip } from "../archived-media/clip/get-clip.ts";
import { getMediaForFragmentList } from "../archived-media/clip/get-media-for-fragment-list.ts";
import { getImages } from "../archived-media/images/get-images.ts";
import { getDASHStreamingSessionURL } from "../archived-media/streaming/get-dash-streaming-session-url.ts";
import { getHLSStreamingSessionURL } from "../archived-media/streaming/get-hls-streaming-session-url.ts";
import type { OperationHandler } from "../server/context.ts";
import { createStream } from "./create-stream.ts";
import { deleteStream } from "./delete-stream.ts";
import { describeStream } from "./describe-stream.ts";
import { getDataEndpoint } from "./get-data-endpoint.ts";
import { getMedia } from "./get-media.ts";
import { listFragments } from "./list-fragments.ts";
import { listStreams } from "./list-streams.ts";
import { listTagsForStream } from "./list-tags-for-stream.ts";
import { putMedia } from "./put-media.ts";
import { tagStream } from "./tag-stream.ts";
import { untagStream } from "./untag-stream.ts";
import { updateDataRetention } from "./update-data-retention.ts";
import { updateStream } from "./update-stream.ts";

export const operationHandlers: readonly OperationHandler[] = [
  // control plane (kinesisvideo)
  createStream,
  describeStream,
  listStreams,
  deleteStream,
  updateDataRetention,
  updateStream,
  tagStream,
  untagStream,
  listTagsForStream,
  getDataEndpoint,
  // media (kinesis-video-media + PutMedia)
  putMedia,
  getMedia,
  // archived media (kinesis-video-archived-media)
  listFragments,
  getClip,
  getMediaForFragmentList,
  getImages,
  getHLSStreamingSessionURL,
  getDASHStreamingSessionURL,
];
