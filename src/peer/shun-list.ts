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
