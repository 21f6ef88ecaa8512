import { EventEmitter } from 'node:events';
import { connect as tcpConnect, type Socket } from 'node:net';
import type { Transport } from '../../../src/transport/transport';
import { RawPeer } from './raw-peer';
import { next } from './wait';

/**
 * A raw TCP peer from a chosen loopback address (127.0.0.0/8 is all ours on Linux), so
 * tests can put attackers and honest nodes in different network groups.
 */
export async function rawFrom(localAddress: string, port: number, host = '127.0.0.1'): Promise<RawPeer> {
  const socket = tcpConnect({ host, port, localAddress });
  await next(socket, 'connect');
  return new RawPeer(socket);
}

/** A plain socket from `localAddress`, for attackers that never get as far as a RawPeer. */
export function socketFrom(localAddress: string, port: number, host = '127.0.0.1'): Socket {
  const socket = tcpConnect({ host, port, localAddress });
  socket.on('error', () => {});
  return socket;
}

/** Wraps a transport to count the dials a node makes; emits 'settled' as each one ends either way. */
export class CountingTransport extends EventEmitter implements Transport {
  readonly dials: string[] = [];
  settled = 0;

  constructor(private readonly inner: Transport) {
    super();
  }

  listen(...args: Parameters<Transport['listen']>): ReturnType<Transport['listen']> {
    return this.inner.listen(...args);
  }

  async connect(host: string, port: number, opts: Parameters<Transport['connect']>[2]): ReturnType<Transport['connect']> {
    this.dials.push(`${host}:${port}`);
    try {
      return await this.inner.connect(host, port, opts);
    } finally {
      this.settled++;
      this.emit('settled');
    }
  }
}
