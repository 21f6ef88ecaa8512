import { MAX_PEERS_PER_MESSAGE, PeersMsg } from '../wire/messages';
import { addrString, isDialable, normalizeHost } from './address';
import { AddressBook } from './address-book';
import type { PeerConnection } from './connection';

/**
 * The `peers` message for `receiver`: live links first (those addresses work right
 * now), then addresses where a handshake once completed, most recent first.
 */
export function peersMessage(open: Iterable<PeerConnection>, book: AddressBook, receiver: string): PeersMsg {
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

/**
 * Remembers the usable entries of a received `peers` message. Unusable ones (not an
 * IP literal, port 0, "any", ourselves) are skipped, not punished: the sender may
 * simply see a different network than we do.
 */
export function learnPeers(msg: PeersMsg, book: AddressBook, selfId: string): void {
  for (const p of msg.peers) {
    const id = Buffer.from(p.id).toString('hex');
    if (id === selfId || !isDialable(p.host, p.port)) continue;
    book.learn(normalizeHost(p.host), p.port, id);
  }
}
