import { Duplex } from 'node:stream';

/**
 * Two connected in-memory streams: what one writes, the other reads. Like a socket,
 * ending one side ends the other's readable side, and destroying one closes both, so
 * the protocol runs over it exactly as over TCP, with no port and no kernel.
 */
export function duplexPair(): [Duplex, Duplex] {
  let a!: Duplex;
  let b!: Duplex;
  const make = (other: () => Duplex) =>
    new Duplex({
      allowHalfOpen: false,
      read() {},
      write(chunk: Buffer, _enc, cb) {
        const peer = other();
        if (!peer.destroyed) peer.push(chunk);
        cb();
      },
      final(cb) {
        const peer = other();
        if (!peer.destroyed) peer.push(null);
        cb();
      },
      destroy(err, cb) {
        const peer = other();
        // Like a reset socket: the other end closes too, on the next tick.
        if (!peer.destroyed) process.nextTick(() => peer.destroy());
        cb(err);
      },
    });
  a = make(() => b);
  b = make(() => a);
  return [a, b];
}
