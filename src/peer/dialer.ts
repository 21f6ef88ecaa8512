import { connect as tcpConnect, Socket } from 'node:net';
import { addrString } from './address';

/**
 * Outgoing TCP connects in flight. Kept apart so the manager can count them toward the
 * outbound target, avoid dialling one address twice, and cancel them all on close.
 */
export class Dialer {
  private readonly pending = new Map<Socket, string>();

  constructor(private readonly timeoutMs: number) {}

  get size(): number {
    return this.pending.size;
  }

  isDialling(host: string, port: number): boolean {
    const addr = addrString(host, port);
    for (const a of this.pending.values()) if (a === addr) return true;
    return false;
  }

  /** Resolves with the connected socket; rejects on error, timeout or cancel. */
  connect(host: string, port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = tcpConnect({ host, port });
      this.pending.set(socket, addrString(host, port));
      const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${this.timeoutMs} ms`)), this.timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.pending.delete(socket);
        socket.off('error', onError);
        socket.off('close', onClose);
        socket.off('connect', onConnect);
      };
      const onError = (err: Error) => {
        done();
        socket.destroy();
        reject(err);
      };
      // cancelAll() destroys without an error, which emits only 'close'.
      const onClose = () => {
        done();
        reject(new Error('cancelled'));
      };
      const onConnect = () => {
        done();
        resolve(socket);
      };
      socket.once('error', onError);
      socket.once('close', onClose);
      socket.once('connect', onConnect);
    });
  }

  cancelAll(): void {
    for (const s of this.pending.keys()) s.destroy();
  }
}
