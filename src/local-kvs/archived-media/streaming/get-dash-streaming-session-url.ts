// POST /getDASHStreamingSessionURL (kinesis-video-archived-media).
import type { OperationHandler } from "../../server/context.ts";
import { createPlaybackSession } from "./create-session.ts";

export const getDASHStreamingSessionURL: OperationHandler = {
  operation: "GetDASHStreamingSessionURL",
  async handle(ctx) {
    ctx.replyJson({ DASHStreamingSessionURL: await createPlaybackSession(ctx, "DASH") });
  },
};
