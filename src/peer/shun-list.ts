import { isLoopback } from './address';
import type { PeerConnection } from './connection';

/** Most entries kept; past it the oldest go first, so a flood of bad peers stays bounded. */
export const SHUN_MAX = 10_000;

/**
 * Who we refuse for a while after misbehaviour, keyed by node id (`id:<hex>`), by
 * listen address (`addr:<host>:<port>`) and by IP (`ip:<host>`). Pure: time comes in.
 */
export class ShunList {
  private until = new Map<string, number>();

  constructor(private readonly max = SHUN_MAX) {}

  add(key: string, untilMs: number): void {
    this.until.delete(key);
    if (this.until.size >= this.max) this.until.delete(this.until.keys().next().value as string);
    this.until.set(key, untilMs);
  }

  has(key: string, now: number): boolean {
    const t = this.until.get(key);
    if (t === undefined) return false;
    if (t > now) return true;
    this.until.delete(key);
    return false;
  }

  get size(): number {
    return this.until.size;
  }
}

export const idKey = (nodeId: string) => `id:${nodeId}`;
export const addrKey = (host: string, port: number) => `addr:${host}:${port}`;
export const ipKey = (host: string) => `ip:${host}`;

/** What a misbehaving connection is shunned under. */
export function shunKeys(conn: PeerConnection): string[] {
  const keys: string[] = [];
  if (conn.remoteId) keys.push(idKey(conn.remoteId));
  // An inbound peer's listen address is only trusted once its handshake proved who it is.
  const addr = conn.listenAddress;
  if (addr && (conn.direction === 'outbound' || conn.remoteId)) keys.push(addrKey(addr.host, addr.port));
  // Never a loopback IP: that would shun every local peer at once (Bitcoin Core's rule too).
  if (!isLoopback(conn.opts.host)) keys.push(ipKey(conn.opts.host));
  return keys;
}
