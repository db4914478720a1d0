// A cap on open sockets that slow clients cannot use to lock others out. A socket is "waiting"
// from its connect until its request's headers are complete, and again between requests on a
// kept-alive connection; a socket serving a request (a GetMedia or PutMedia stream included) is
// busy. At the cap, a new socket evicts the longest-waiting one, so sockets that dribble headers
// (or sit idle) give way to new calls instead of refusing them; only when every socket is busy is
// the new one refused. The headers timeout closes dribbling sockets in any case.

import type { Socket } from "node:net";

export class SocketAdmission {
  readonly #maxSockets: number;
  readonly #open = new Set<Socket>();
  /** Waiting sockets, the longest-waiting first (a Set keeps insertion order). */
  readonly #waiting = new Set<Socket>();
  #evicted = 0;
  #refused = 0;

  /** `maxSockets` Infinity = no cap. */
  constructor(maxSockets: number) {
    if (!(maxSockets >= 1)) throw new RangeError("the connection cap must be at least 1");
    this.#maxSockets = maxSockets;
  }

  /** Sockets open now. */
  get openSockets(): number {
    return this.#open.size;
  }

  /** Waiting sockets closed to admit new ones. */
  get evicted(): number {
    return this.#evicted;
  }

  /** New sockets closed because every open socket was busy. */
  get refused(): number {
    return this.#refused;
  }

  /** Takes a new socket in, evicting the longest-waiting one at the cap; false if refused. */
  admit(socket: Socket): boolean {
    if (this.#open.size >= this.#maxSockets) {
      const oldest = this.#waiting.values().next();
      if (oldest.done) {
        this.#refused++;
        socket.destroy();
        return false;
      }
      this.#evicted++;
      this.#forget(oldest.value);
      oldest.value.destroy();
    }
    this.#open.add(socket);
    this.#waiting.add(socket);
    socket.once("close", () => this.#forget(socket));
    return true;
  }

  /** The socket's request headers are complete: it serves a request now. */
  busy(socket: Socket): void {
    this.#waiting.delete(socket);
  }

  /** The socket's response is done and the connection is kept alive: waiting again. */
  idle(socket: Socket): void {
    if (!this.#open.has(socket) || socket.destroyed) return;
    this.#waiting.delete(socket);
    this.#waiting.add(socket);
  }

  /** Every open socket (for shutdown). */
  all(): IterableIterator<Socket> {
    return this.#open.values();
  }

  #forget(socket: Socket): void {
    this.#open.delete(socket);
    this.#waiting.delete(socket);
  }
}
