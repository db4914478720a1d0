// The three SDK clients. Data-plane clients (archived media, media) are bound to a stream's data
// endpoint; they are cached per endpoint URL so their connection pools are reused across requests.

import { KinesisVideoClient, type KinesisVideoClientConfig } from "@aws-sdk/client-kinesis-video";
import { KinesisVideoArchivedMediaClient } from "@aws-sdk/client-kinesis-video-archived-media";
import { KinesisVideoMediaClient } from "@aws-sdk/client-kinesis-video-media";
import { LRUCache } from "lru-cache";

export type KvsCredentials = NonNullable<KinesisVideoClientConfig["credentials"]>;

export interface KvsClientOptions {
  region: string;
  /** Control-plane endpoint override (a kvs-local URL, a VPC endpoint); AWS's when undefined. */
  endpoint?: string | undefined;
  /** Credentials; the SDK's default provider chain when undefined. */
  credentials?: KvsCredentials | undefined;
  /** SDK attempts per call (retries of 5xx, throttling and network errors included). */
  maxAttempts?: number | undefined;
  /** Abandon a connection attempt after this long. */
  connectTimeoutMs?: number | undefined;
  /** Bound on the distinct data endpoints whose clients are kept. */
  maxDataEndpointClients?: number | undefined;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
/** Control-plane and archived-media answers are small; a silent socket this long is dead. */
const IDLE_SOCKET_TIMEOUT_MS = 30_000;

export class KvsClients {
  readonly control: KinesisVideoClient;
  readonly #options: KvsClientOptions;
  readonly #archivedMedia: LRUCache<string, KinesisVideoArchivedMediaClient>;
  readonly #media: LRUCache<string, KinesisVideoMediaClient>;

  constructor(options: KvsClientOptions) {
    this.#options = options;
    this.control = new KinesisVideoClient({
      ...this.#common(),
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      requestHandler: {
        connectionTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        socketTimeout: IDLE_SOCKET_TIMEOUT_MS,
      },
    });
    const max = options.maxDataEndpointClients ?? 256;
    this.#archivedMedia = new LRUCache({ max, dispose: (client) => client.destroy() });
    this.#media = new LRUCache({ max, dispose: (client) => client.destroy() });
  }

  /** The archived-media client (ListFragments, GetClip, …) for a data endpoint. */
  archivedMedia(endpoint: string): KinesisVideoArchivedMediaClient {
    let client = this.#archivedMedia.get(endpoint);
    if (!client) {
      client = new KinesisVideoArchivedMediaClient({
        ...this.#common(),
        endpoint,
        requestHandler: {
          connectionTimeout: this.#options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
          socketTimeout: IDLE_SOCKET_TIMEOUT_MS,
        },
      });
      this.#archivedMedia.set(endpoint, client);
    }
    return client;
  }

  /**
   * The media client (GetMedia) for a data endpoint. No idle timeout: a GetMedia response on
   * an idle stream legitimately stays silent.
   */
  media(endpoint: string): KinesisVideoMediaClient {
    let client = this.#media.get(endpoint);
    if (!client) {
      client = new KinesisVideoMediaClient({
        ...this.#common(),
        endpoint,
        requestHandler: {
          connectionTimeout: this.#options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        },
      });
      this.#media.set(endpoint, client);
    }
    return client;
  }

  /** Closes every client's sockets. */
  destroy(): void {
    this.control.destroy();
    this.#archivedMedia.clear();
    this.#media.clear();
  }

  #common() {
    return {
      region: this.#options.region,
      ...(this.#options.credentials === undefined
        ? {}
        : { credentials: this.#options.credentials }),
      ...(this.#options.maxAttempts === undefined
        ? {}
        : { maxAttempts: this.#options.maxAttempts }),
    };
  }
}
