/**
 * Every message type of protocol v1 on one screen: when it may arrive and who handles
 * it. The connection decodes a frame (src/wire), looks its `t` up here, checks the
 * phase, and calls the handler — inside one crash-proof boundary (connection.ts), so no
 * peer's bytes can take the process down. Shapes are declared in src/wire/messages.ts.
 *
 * Link-level messages (handshake, keepalive, error) are handled by the connection
 * itself; the rest by the node's services, injected as `LinkServices`.
 */
import type { EventMsg, Message, MessageType, PeersMsg, ProofMsg, SyncMsg } from '../wire/messages';
import type { PeerConnection } from './connection';

/** The node-level handlers a link hands messages to (NetNode provides them). */
export interface LinkServices {
  /** Addresses offered by the peer (peer exchange). */
  onPeers(link: PeerConnection, msg: PeersMsg): void;
  /** One signed gossip event. */
  onEvent(link: PeerConnection, msg: EventMsg): void;
  /**
   * One batch of the peer's book sync. May return a promise (large batches are applied
   * in slices): the link handles nothing else from that peer until it settles, so
   * frames keep their order and a ping still proves everything before it was handled.
   */
  onSync(link: PeerConnection, msg: SyncMsg): void | Promise<void>;
  /** Two signed events claimed to prove their origin equivocated. */
  onProof(link: PeerConnection, msg: ProofMsg): void;
}

/** `handshake`: only before the handshake completed; `open`: only after; `any`: both. */
export type Phase = 'handshake' | 'open' | 'any';

interface Entry<M extends Message> {
  phase: Phase;
  handle(link: PeerConnection, msg: M, services: LinkServices): void | Promise<void>;
}

type Registry = { [T in MessageType]: Entry<Extract<Message, { t: T }>> };

export const PROTOCOL: Registry = {
  hello: { phase: 'handshake', handle: (link, msg) => link.onHello(msg) },
  auth: { phase: 'handshake', handle: (link, msg) => link.onAuth(msg) },
  error: { phase: 'any', handle: (link, msg) => link.onRemoteError(msg) },
  ping: { phase: 'open', handle: (link, msg) => link.onPing(msg) },
  pong: { phase: 'open', handle: (link, msg) => link.onPong(msg) },
  peers: { phase: 'open', handle: (link, msg, s) => s.onPeers(link, msg) },
  event: { phase: 'open', handle: (link, msg, s) => s.onEvent(link, msg) },
  sync: { phase: 'open', handle: (link, msg, s) => s.onSync(link, msg) },
  proof: { phase: 'open', handle: (link, msg, s) => s.onProof(link, msg) },
};

/** Calls the registered handler of `msg` (its type is already known to be valid). */
export function dispatch(link: PeerConnection, msg: Message, services: LinkServices): void | Promise<void> {
  const entry = PROTOCOL[msg.t] as Entry<Message>;
  return entry.handle(link, msg, services);
}

export function phaseOf(t: MessageType): Phase {
  return PROTOCOL[t].phase;
}
