/**
 * Acts on what is reported of each link: scores it (LinkScores), and when the score says
 * so, closes it with SHUNNED and shuns its node id, listen address and (not loopback) IP
 * for the ban; one `peer.throttled` line when a peer becomes penalised, one `peer.banned`
 * when it is dropped. Also reads `peers` messages within each link's rate limit, since an
 * over-limit one is itself a reportable outcome ('peers-flood').
 */
import type { Clock } from '../clock/clock';
import { DEFAULT_SCORE_POLICY, type ScorePolicy } from '../limits/peer-score';
import type { Logger } from '../log/logger';
import { ErrorCode, ProtocolError } from '../wire/errors';
import type { PeersMsg } from '../wire/messages';
import { addrString } from './address';
import type { AddrMan } from './addrman';
import type { PeerConnection } from './connection';
import { LinkScores, type Outcome, type ScoreVerdict } from './link-scores';
import type { LinkMeta } from './manager-config';
import { receivePeers } from './peer-exchange';
import { idKey, shunKeys, type ShunList } from './shun-list';

export class LinkPolice {
  readonly scores: LinkScores;
  /** `peers` entries not read: over a link's message rate or its address rate. */
  addrRelayDropped = 0;

  constructor(
    policy: Partial<ScorePolicy>,
    private readonly deps: { clock: Clock; log: Logger; shuns: ShunList; book: AddrMan; selfId: string },
  ) {
    this.scores = new LinkScores({ ...DEFAULT_SCORE_POLICY, ...policy });
  }

  /** `conn`/`meta`: the peer's open link, if it has one. */
  report(peerId: string, outcome: Outcome, conn?: PeerConnection, meta?: LinkMeta): ScoreVerdict {
    const now = this.deps.clock.now();
    if (meta && outcome === 'useful') meta.lastUsefulAt = now;
    const v = this.scores.report(peerId, outcome, now);
    if (v.action === 'throttled') this.deps.log.warn('peer.throttled', { peer: peerId, reason: outcome, score: Math.round(v.score) });
    if (v.action !== 'drop') return v;
    const until = now + (v.banMs as number);
    this.deps.shuns.add(idKey(peerId), until);
    if (conn) for (const key of shunKeys(conn)) this.deps.shuns.add(key, until);
    const addr = conn ? addrString(conn.opts.host, conn.opts.port) : undefined;
    this.deps.log.warn('peer.banned', { peer: peerId, addr, reason: outcome, score: Math.round(v.score), bannedMs: v.banMs });
    conn?.fail(new ProtocolError(ErrorCode.SHUNNED, `score below ${this.scores.policy.dropBelow} (${outcome}): banned for ${v.banMs} ms`));
    return v;
  }

  /** A `peers` message on `conn`: true if read (new addresses may be worth dialling), false if over the link's limit (and reported). */
  onPeers(conn: PeerConnection, meta: LinkMeta, msg: PeersMsg): boolean {
    const receipt = receivePeers(msg, meta.relay, this.deps.book, this.deps.selfId, conn.opts.host, this.deps.clock.now());
    this.addrRelayDropped += receipt.ignored;
    if (!receipt.accepted) this.report(conn.remoteId as string, 'peers-flood', conn, meta);
    return receipt.accepted;
  }
}
