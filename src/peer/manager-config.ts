/** What a PeerManager runs under, what it tells the node, and what it keeps per link. */
import type { Clock } from '../clock/clock';
import type { Identity } from '../identity/identity';
import type { ScorePolicy } from '../limits/peer-score';
import type { RateSpec } from '../limits/token-bucket';
import type { Logger } from '../log/logger';
import type { Transport } from '../transport/transport';
import type { AddrRelayLimit } from './addr-relay';
import type { BackoffConfig } from './backoff';
import type { CloseInfo, LinkLimits, PeerConnection } from './connection';
import type { NetGroupFn } from './netgroup';

export interface ManagerConfig extends LinkLimits {
  identity: Identity;
  agent: string;
  targetOutbound: number;
  maxInbound: number;
  shunMs: number;
  backoff: BackoffConfig;
  clock: Clock;
  transport: Transport;
  log: Logger;
  /** Where known peers are saved; none = not persisted. */
  peersFile?: string;
  netGroup: NetGroupFn;
  maxHandshakes: number;
  maxHandshakesPerAddress: number;
  unverifiedDialRate: RateSpec;
  peersMessageRate: RateSpec;
  addrLearnRate: RateSpec;
  feelerIntervalMs: number;
  peerScore: Partial<ScorePolicy>;
}

/** What the node learns from the manager about its links. */
export interface ManagerHooks {
  /** A link completed its handshake and won any duplicate tie-break. */
  opened(conn: PeerConnection): void;
  /** A link announced by `opened` is over. */
  closed(conn: PeerConnection, info: CloseInfo): void;
}

/** Why we dialled: to keep the outbound target, to replace a link of a crowded group, or to test an address (feeler). */
export type Role = 'regular' | 'swap' | 'feeler';

/** What the manager keeps per link beside the connection. */
export interface LinkMeta {
  role: Role | 'inbound';
  /** Its `peers` messages and addresses, rate limited. */
  relay: AddrRelayLimit;
  /** Last time it delivered an event new to us and valid (ms), 0 if never: eviction protects recent ones. */
  lastUsefulAt: number;
}
