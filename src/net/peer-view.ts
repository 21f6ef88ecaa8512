import type { PeerConnection } from '../peer/connection';

/** What the app sees of a connected peer. */
export interface PeerView {
  /** Hex Ed25519 public key. */
  nodeId: string;
  /** Remote IP (the dialled host for outbound links). */
  host: string;
  /** The peer's listen port, from its hello (0 if it does not listen). */
  port: number;
  direction: 'inbound' | 'outbound';
  /** When the handshake completed (ms, our `now`). */
  connectedAt: number;
}

export function viewOf(conn: PeerConnection): PeerView {
  return {
    nodeId: conn.remoteId as string,
    host: conn.opts.host,
    port: conn.listenPort,
    direction: conn.direction,
    connectedAt: conn.connectedAt,
  };
}
