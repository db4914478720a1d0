// The three SDK clients. Data-plane clients (archived media, media) are bound to a stream's data
// endpoint; they are cached per endpoint URL so their connection pools are reused across requests.

import { type AgentOptions, Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { Duplex } from "node:stream";
import { KinesisVideoClient, type KinesisVideoClientConfig } from "@aws-sdk/client-kinesis-video";
import { KinesisVideoArchivedMediaClient } from "@aws-sdk/client-kinesis-video-archived-media";
import { KinesisVideoMediaClient } from "@aws-sdk/client-kinesis-video-media";
import { LRUCache } from "lru-cache";
import { reportCalls } from "./call-reporting.ts";
import { type KvsObserver, NO_OBSERVER } from "./observer.ts";

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
  /** Told about every SDK call (one report per call, retries included) and cache lookups. */
  observer?: KvsObserver | undefined;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
/** Control-plane and archived-media answers are small; a silent socket this long is dead. */
const IDLE_SOCKET_TIMEOUT_MS = 30_000;
/** The SDK's own pool settings, kept for the agents made here. */
const AGENT_OPTIONS: AgentOptions = { keepAlive: true, maxSockets: 50 };

/**
 * Makes a keep-alive agent retirable: once retired, it closes its idle sockets and every busy
 * one when its request ends (http and https agents alike, hence a wrapper, not a subclass).
 */
function retirable<A extends HttpAgent>(agent: A): { agent: A; retire(): void } {
  let retired = false;
  const keep = agent.keepSocketAlive.bind(agent);
  agent.keepSocketAlive = (socket: Duplex) => !retired && keptByNode(keep(socket));
  return {
    agent,
    retire() {
      retired = true;
      closeFreeSockets(agent);
    },
  };
}

/** Node's keepSocketAlive answers a boolean (typed void by @types/node); false means "destroy". */
function keptByNode(answer: unknown): boolean {
  return answer !== false;
}

function closeFreeSockets(agent: HttpAgent): void {
  for (const sockets of Object.values(agent.freeSockets)) {
    for (const socket of sockets ?? []) socket.destroy();
  }
}

/** A data-plane client with its own connection pool, which can be retired without cutting requests. */
interface PooledClient<Client> {
  readonly client: Client;
  /** Stops pooling: idle sockets close now, busy ones when their response ends. */
  retire(): void;
}

function pooled<Client>(
  make: (agents: { httpAgent: HttpAgent; httpsAgent: HttpsAgent }) => Client,
): PooledClient<Client> {
  const http = retirable(new HttpAgent(AGENT_OPTIONS));
  const https = retirable(new HttpsAgent(AGENT_OPTIONS));
  return {
    client: make({ httpAgent: http.agent, httpsAgent: https.agent }),
    retire() {
      http.retire();
      https.retire();
    },
  };
}

interface Destroyable {
  destroy(): void;
}

/**
 * Clients per data endpoint, bounded. An evicted client may still carry a GetMedia session or a
 * GetClip body (past 256 endpoints, on a busy gateway), so eviction retires it rather than
 * destroying it: its requests run to their end and its sockets close then.
 */
function clientCache<Client extends Destroyable>(max: number) {
  return new LRUCache<string, PooledClient<Client>>({
    max,
    dispose: (entry, _endpoint, reason) => {
      if (reason === "evict") entry.retire();
      else entry.client.destroy();
    },
  });
}

/** What both data-plane clients are built from: the shared settings, the endpoint, the pool. */
interface DataPlaneConfig {
  region: string;
  credentials?: KvsCredentials;
  maxAttempts?: number;
  endpoint: string;
  requestHandler: {
    httpAgent: HttpAgent;
    httpsAgent: HttpsAgent;
    connectionTimeout: number;
    socketTimeout?: number;
  };
}

export class KvsClients {
  readonly control: KinesisVideoClient;
  /** Where this process's KVS code reports calls, cache lookups and GetMedia sessions. */
  readonly observer: KvsObserver;
  readonly #options: KvsClientOptions;
  readonly #archivedMedia: LRUCache<string, PooledClient<KinesisVideoArchivedMediaClient>>;
  readonly #media: LRUCache<string, PooledClient<KinesisVideoMediaClient>>;

  constructor(options: KvsClientOptions) {
    this.#options = options;
    this.observer = options.observer ?? NO_OBSERVER;
    this.control = new KinesisVideoClient({
      ...this.#common(),
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      requestHandler: {
        connectionTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        socketTimeout: IDLE_SOCKET_TIMEOUT_MS,
      },
    });
    reportCalls(this.control, "KinesisVideo", this.observer);
    const max = options.maxDataEndpointClients ?? 256;
    this.#archivedMedia = clientCache(max);
    this.#media = clientCache(max);
  }

  /** The archived-media client (ListFragments, GetClip, …) for a data endpoint. */
  archivedMedia(endpoint: string): KinesisVideoArchivedMediaClient {
    return this.#dataPlane(
      this.#archivedMedia,
      endpoint,
      (config) => {
        const client = new KinesisVideoArchivedMediaClient(config);
        reportCalls(client, "KinesisVideoArchivedMedia", this.observer);
        return client;
      },
      IDLE_SOCKET_TIMEOUT_MS,
    );
  }

  /**
   * The media client (GetMedia) for a data endpoint. No idle timeout: a GetMedia response on
   * an idle stream legitimately stays silent.
   */
  media(endpoint: string): KinesisVideoMediaClient {
    return this.#dataPlane(
      this.#media,
      endpoint,
      (config) => {
        const client = new KinesisVideoMediaClient(config);
        reportCalls(client, "KinesisVideoMedia", this.observer);
        return client;
      },
      undefined,
    );
  }

  #dataPlane<Client extends Destroyable>(
    cache: LRUCache<string, PooledClient<Client>>,
    endpoint: string,
    build: (config: DataPlaneConfig) => Client,
    socketTimeout: number | undefined,
  ): Client {
    let entry = cache.get(endpoint);
    if (!entry) {
      entry = pooled((agents) =>
        build({
          ...this.#common(),
          endpoint,
          requestHandler: {
            ...agents,
            connectionTimeout: this.#options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
            ...(socketTimeout === undefined ? {} : { socketTimeout }),
          },
        }),
      );
      cache.set(endpoint, entry);
    }
    return entry.client;
  }

  /** Closes every client's sockets, busy ones included (shutdown). */
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
