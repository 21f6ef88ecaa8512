import type { PeerConnection } from './connection';

/**
 * The open connections, at most one per node id. When a second connection to the same
 * node completes, both ends must keep the same one without talking about it, so the
 * rule only uses what both ends know: the connection dialled by the smaller node id
 * wins; if the same node dialled both, the one whose dialler's hello nonce is smaller.
 * (Hyperswarm keeps the connection initiated by the lower key the same way.)
 */
export class PeerSet {
  private byId = new Map<string, PeerConnection>();

  constructor(private readonly selfId: string) {}

  get size(): number {
    return this.byId.size;
  }

  get(nodeId: string): PeerConnection | undefined {
    return this.byId.get(nodeId);
  }

  values(): IterableIterator<PeerConnection> {
    return this.byId.values();
  }

  /**
   * Registers a connection whose handshake just completed. Returns the loser the
   * caller must close (the newcomer or the one it replaces), or null if there was none.
   */
  add(conn: PeerConnection): PeerConnection | null {
    const id = conn.remoteId as string;
    const existing = this.byId.get(id);
    if (!existing) {
      this.byId.set(id, conn);
      return null;
    }
    if (this.rank(conn) < this.rank(existing)) {
      this.byId.set(id, conn);
      return existing;
    }
    return conn;
  }

  /** Forgets a closed connection (no-op if another one holds its id). */
  delete(conn: PeerConnection): boolean {
    if (conn.remoteId === null || this.byId.get(conn.remoteId) !== conn) return false;
    return this.byId.delete(conn.remoteId);
  }

  private rank(conn: PeerConnection): string {
    const outbound = conn.direction === 'outbound';
    const dialler = outbound ? this.selfId : (conn.remoteId as string);
    const nonce = outbound ? conn.ourNonce : (conn.remoteHello?.nonce as Uint8Array);
    return `${dialler}:${Buffer.from(nonce).toString('hex')}`;
  }
}
