// The Redis keys of cluster mode. All carry the configured prefix (REDIS_KEY_PREFIX), so several
// gateway fleets can share one Redis; instances of one fleet must use the same prefix.

export class ClusterKeys {
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** Who holds the stream's shared NOW GetMedia session (a token, with a TTL). */
  lease(streamKey: string): string {
    return `${this.prefix}lease:${streamKey}`;
  }

  /** Incremented on every lease grant: the fencing number of the holder. */
  fence(streamKey: string): string {
    return `${this.prefix}fence:${streamKey}`;
  }

  /** The Redis Stream of the stream's fragment events. */
  events(streamKey: string): string {
    return `${this.prefix}events:${streamKey}`;
  }

  /** Private GetMedia sessions open fleet-wide (a sorted set of slot tokens by expiry). */
  privateSlots(streamKey: string): string {
    return `${this.prefix}private:${streamKey}`;
  }

  /** A fleet-wide pacing lane (calls booked in a window). */
  pace(name: string, key: string): string {
    return `${this.prefix}pace:${name}:${key}`;
  }
}
