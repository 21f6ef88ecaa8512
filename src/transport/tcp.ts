import { connect as tcpConnect, createServer, type Socket } from 'node:net';
import type { Clock } from '../clock/clock';
import type { Endpoint, Listener, Transport } from './transport';

/** Plain TCP. The connect timeout runs on the injected clock like every other timer. */
export function tcpTransport(clock: Clock): Transport {
  return {
    listen(host, port, onStream) {
      const server = createServer((socket) => {
        const remote: Endpoint = { host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
        onStream(socket, remote);
      });
      return new Promise<Listener>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const bound = (server.address() as { port: number }).port;
          resolve({ port: bound, close: () => new Promise<void>((r) => server.close(() => r())) });
        });
      });
    },
    connect(host, port, { timeoutMs, signal }) {
      return new Promise<Socket>((resolve, reject) => {
        if (signal?.aborted) return reject(new Error('cancelled'));
        const socket = tcpConnect({ host, port });
        const timer = clock.setTimeout(() => socket.destroy(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
        const onAbort = (): void => {
          socket.destroy(new Error('cancelled'));
        };
        const done = (): void => {
          clock.clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          socket.off('error', onError);
          socket.off('connect', onConnect);
        };
        const onError = (err: Error): void => {
          done();
          socket.destroy();
          reject(err);
        };
        const onConnect = (): void => {
          done();
          resolve(socket);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        socket.once('error', onError);
        socket.once('connect', onConnect);
      });
    },
  };
}
