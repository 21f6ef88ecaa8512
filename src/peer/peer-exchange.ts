import { MAX_PEERS_PER_MESSAGE, PeersMsg } from '../wire/messages';
import { addrString, isDialable, normalizeHost } from './address';
import type { AddrMan } from './addrman';
import type { AddrRelayLimit } from './addr-relay';
import type { PeerConnection } from './connection';

/**
 * The `peers` message for `receiver`: live links first (those addresses work right
 * now), then addresses where a handshake once completed, most recent first.
 */
export function peersMessage(open: Iterable<PeerConnection>, book: AddrMan, receiver: string): PeersMsg {
  const out: PeersMsg['peers'] = [];
  const seen = new Set<string>();
  const push = (id: string, host: string, port: number) => {
    const k = addrString(host, port);
    if (id === receiver || seen.has(k) || out.length >= MAX_PEERS_PER_MESSAGE) return;
    seen.add(k);
    out.push({ id: Buffer.from(id, 'hex'), host, port });
  };
  for (const c of open) {
    const a = c.listenAddress;
    if (a) push(c.remoteId as string, a.host, a.port);
  }
  for (const p of book.verified(MAX_PEERS_PER_MESSAGE, (p) => p.id === receiver)) push(p.id as string, p.host, p.port);
  return { t: 'peers', peers: out };
}

export interface PeersReceipt {
  /** False: over the link's `peers` message rate; nothing was read, and the link scores 'peers-flood'. */
  accepted: boolean;
  /** Entries not looked at: the whole message when refused, else those past the link's address rate. */
  ignored: number;
}

/**
 * Reads a received `peers` message within the link's AddrRelayLimit: remembers its
 * usable entries in "new", with the sender's host as their source (so one peer's
 * addresses, however many, land in its own few buckets). Unusable entries (not an IP
 * literal, port 0, "any", ourselves) are skipped, not punished: the sender may simply
 * see a different network than we do.
 */
export function receivePeers(msg: PeersMsg, limit: AddrRelayLimit, book: AddrMan, selfId: string, source: string, now: number): PeersReceipt {
  const verdict = limit.admit(msg.peers.length, now);
  if (!verdict.accepted) return { accepted: false, ignored: msg.peers.length };
  for (const p of msg.peers.slice(0, verdict.learn)) {
    const id = Buffer.from(p.id).toString('hex');
    if (id === selfId || !isDialable(p.host, p.port)) continue;
    book.learn(normalizeHost(p.host), p.port, id, source);
  }
  return { accepted: true, ignored: msg.peers.length - verdict.learn };
}
