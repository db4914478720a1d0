// The root types. Domain files add their fields with builder.queryField(s)/subscriptionField(s).

import { builder } from "./builder.ts";

builder.queryType({
  description: "Kinesis Video Streams, read through one GraphQL endpoint.",
});

builder.subscriptionType({
  description: "Live data over WebSocket (graphql-ws) or Server-Sent Events.",
});
