// The failures only the GetMedia streaming path produces, as GraphQL types: KVS's ERROR_ID tags
// (GetMediaError), a subscriber dropped for reading too slowly (SlowSubscriber) and the gateway
// stopping (ShuttingDown). They end a live fragment subscription (live-fragments.ts).

import {
  GetMediaStreamError,
  ShuttingDownError,
  SlowSubscriberError,
} from "../../kvs/getmedia/errors.ts";
import { builder } from "./builder.ts";
import { KvsErrorInterface } from "./errors.ts";

builder.objectType(GetMediaStreamError, {
  name: "GetMediaError",
  description:
    "KVS ended GetMedia with the AWS_KINESISVIDEO_ERROR_CODE / ERROR_ID tags. Transient ids (3002 error writing to the stream, 5000 internal error) are retried by the gateway and never reach subscribers; the others end the subscription: 4000 requested fragment not found, 4500-4506 the stream's KMS key is unusable (access denied, disabled, validation error, unavailable, invalid usage, invalid state, not found). `code` is the ERROR_CODE tag.",
  interfaces: [KvsErrorInterface],
  fields: (t) => ({
    errorId: t.exposeInt("errorId", { nullable: true }),
    errorCode: t.exposeString("errorCode", { nullable: true }),
    meaning: t.exposeString("meaning", {
      nullable: true,
      description: "The documented meaning of errorId; null for an undocumented id.",
    }),
    fragmentNumber: t.exposeString("fragmentNumber", { nullable: true }),
  }),
});

builder.objectType(SlowSubscriberError, {
  name: "SlowSubscriber",
  description:
    "This subscriber fell `bufferSize` events behind (its client read too slowly) and was dropped so it cannot stall other subscribers or grow the gateway's memory. It received every fragment up to `continuationToken`; subscribe again with that token to continue.",
  fields: (t) => ({
    message: t.exposeString("message"),
    bufferSize: t.exposeInt("bufferSize"),
    continuationToken: t.exposeString("continuationToken", { nullable: true }),
  }),
});

builder.objectType(ShuttingDownError, {
  name: "ShuttingDown",
  description:
    "The gateway process is stopping (SIGTERM) and ended the subscription; it is the last event, sent after every fragment already delivered. Subscribe again (another instance, or this one once restarted) with start CONTINUATION_TOKEN and `continuationToken` to continue without a gap.",
  fields: (t) => ({
    message: t.exposeString("message"),
    continuationToken: t.exposeString("continuationToken", {
      nullable: true,
      description:
        "Token of the last fragment this subscription was sent; null if it was sent none.",
    }),
  }),
});
