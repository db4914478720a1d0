// GetMedia sessions outlive the request that started them, so they resolve the stream's GET_MEDIA
// data endpoint through the process-wide endpoint cache rather than a request's DataLoader.
import type { KvsClients } from "../core/clients.ts";
import type { EndpointCache } from "../core/endpoints.ts";
import type { GetMediaSessionDeps } from "./session.ts";

export function getMediaClientsVia(
  clients: KvsClients,
  endpoints: EndpointCache,
): Pick<GetMediaSessionDeps, "getMediaClient" | "invalidateEndpoint"> {
  return {
    async getMediaClient(stream) {
      return clients.media(await endpoints.resolve({ stream, api: "GET_MEDIA" }));
    },
    invalidateEndpoint(stream) {
      endpoints.evict({ stream, api: "GET_MEDIA" });
    },
  };
}
