// POST /getHLSStreamingSessionURL (kinesis-video-archived-media).
import type { OperationHandler } from "../../server/context.ts";
import { createPlaybackSession } from "./create-session.ts";

export const getHLSStreamingSessionURL: OperationHandler = {
  operation: "GetHLSStreamingSessionURL",
  async handle(ctx) {
    ctx.replyJson({ HLSStreamingSessionURL: await createPlaybackSession(ctx, "HLS") });
  },
};
