/**
 * How a node reaches other nodes: it listens for streams and opens streams, and the
 * protocol runs over whatever duplex stream it gets. TCP (tcp.ts) is the daemon's;
 * an in-memory network with latency, loss and partitions (memory.ts) is the tests' and
 * the simulator's. Nothing above this seam knows which one it runs on.
 */
import type { Duplex } from 'node:stream';

export interface Endpoint {
  host: string;
  port: number;
}

export interface Listener {
  /** The bound port (a real one when 0 was asked for). */
  readonly port: number;
  /** Stops accepting; resolves once the listener is released (open streams stay). */
  close(): Promise<void>;
}

export interface Transport {
  /** Accepts streams at host:port; `onStream` gets each with the remote end's address. */
  listen(host: string, port: number, onStream: (stream: Duplex, remote: Endpoint) => void): Promise<Listener>;
  /**
   * Opens a stream to host:port. Rejects when it cannot be made within `timeoutMs`
   * (refused, unreachable, timed out) or when `signal` aborts first.
   */
  connect(host: string, port: number, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<Duplex>;
}
