import type { Clock } from '../clock/clock';
import { realClock } from '../clock/real-clock';
import { Logger, silentLogger } from '../log/logger';
import type { BackoffConfig } from '../peer/backoff';
import type { Identity } from '../identity/identity';
import { DEFAULT_SCORE_POLICY, PeerScores, type ScorePolicy } from '../limits/peer-score';
import { RateSpecError, verifyRate, type RateSpec } from '../limits/token-bucket';
import { ADDR_LEARN_RATE, PEERS_MESSAGE_RATE } from '../peer/addr-relay';
import { FEELER_INTERVAL_MS, UNVERIFIED_DIAL_RATE } from '../peer/addrman';
import { MAX_HANDSHAKES, MAX_HANDSHAKES_PER_ADDRESS } from '../peer/handshake-pool';
import { defaultNetGroup, type NetGroupFn } from '../peer/netgroup';
import { tcpTransport } from '../transport/tcp';
import type { Transport } from '../transport/transport';
import { DEFAULT_MAX_FRAME_BYTES } from '../wire/frame';

export interface NetOptions {
  /** Interface to listen on. Default '127.0.0.1'. */
  host?: string;
  /** 0 = any free port. Default 0. */
  port?: number;
  /** Holds the identity key (created on first start) and the known peers (peers.json). */
  dataDir?: string;
  /** Alternative to dataDir (tests): the key pair to use. With neither, a fresh key is made (not kept). */
  identity?: Identity;
  /** Dialled at start (failures are retried with backoff, not thrown). */
  peers?: Array<{ host: string; port: number }>;
  targetOutbound?: number;
  maxInbound?: number;
  handshakeTimeoutMs?: number;
  maxFrameBytes?: number;
  /** Largest accepted difference between a peer's clock and ours (hello.ts, event ts). */
  maxClockSkewMs?: number;
  pingIntervalMs?: number;
  idleTimeoutMs?: number;
  /** Unsent bytes allowed per peer before it is dropped as a slow reader. */
  maxWriteBufferBytes?: number;
  shunMs?: number;
  /** Events older than this (by their ts) are refused; ids are remembered this long. */
  seenWindowMs?: number;
  seenMax?: number;
  backoff?: BackoffConfig;
  /** Time, timers and randomness. Default: the real ones. */
  clock?: Clock;
  /** How streams are made. Default: TCP on `clock`. */
  transport?: Transport;
  log?: Logger;
  /** Software name in hello. */
  agent?: string;
  /**
   * Network group of a host: slots, eviction and outbound spreading count groups, not
   * addresses. Default defaultNetGroup (IPv4 /16, IPv6 /32, all of loopback one group);
   * tests on loopback pass perHostGroup or a mapping of their own.
   */
  netGroup?: NetGroupFn;
  /** Inbound handshakes in progress at once (their own pool, apart from maxInbound). */
  maxHandshakes?: number;
  /** Inbound handshakes in progress per address (loopback: per IP and port, i.e. unlimited). */
  maxHandshakesPerAddress?: number;
  /** Dials to addresses peers told us of and no handshake confirmed yet. */
  unverifiedDialRate?: RateSpec;
  /** `peers` messages read per link. */
  peersMessageRate?: RateSpec;
  /** Addresses learned per link. */
  addrLearnRate?: RateSpec;
  /** With outbound full, one test dial of an unverified address this often; 0 = never. */
  feelerIntervalMs?: number;
  /** Per-link score: weights, drop threshold, half-life, bans (each field optional). */
  peerScore?: Partial<ScorePolicy>;
}

export type NetConfig = Required<Omit<NetOptions, 'dataDir' | 'identity' | 'transport'>> &
  Pick<NetOptions, 'dataDir' | 'identity'> & { transport: Transport };

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  peers: [] as Array<{ host: string; port: number }>,
  targetOutbound: 8,
  maxInbound: 64,
  handshakeTimeoutMs: 5000,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  maxClockSkewMs: 30_000,
  pingIntervalMs: 15_000,
  idleTimeoutMs: 45_000,
  maxWriteBufferBytes: 8 * 1024 * 1024,
  shunMs: 10 * 60_000,
  seenWindowMs: 5 * 60_000,
  seenMax: 100_000,
  backoff: { baseMs: 1000, maxMs: 60_000 },
  agent: 'p2p-exchange/0.1',
  netGroup: defaultNetGroup,
  maxHandshakes: MAX_HANDSHAKES,
  maxHandshakesPerAddress: MAX_HANDSHAKES_PER_ADDRESS,
  unverifiedDialRate: UNVERIFIED_DIAL_RATE,
  peersMessageRate: PEERS_MESSAGE_RATE,
  addrLearnRate: ADDR_LEARN_RATE,
  feelerIntervalMs: FEELER_INTERVAL_MS,
  peerScore: {} as Partial<ScorePolicy>,
};

export class ConfigError extends Error {
  readonly code = 'BAD_CONFIG';
}

/** Fills defaults and refuses settings that cannot work together. */
export function resolveOptions(opts: NetOptions): NetConfig {
  const given = stripUndefined(opts);
  const clock = given.clock ?? realClock;
  const cfg: NetConfig = {
    ...DEFAULTS,
    clock,
    log: silentLogger,
    ...given,
    transport: given.transport ?? tcpTransport(clock),
  };
  const positive = ['handshakeTimeoutMs', 'maxFrameBytes', 'maxClockSkewMs', 'pingIntervalMs', 'idleTimeoutMs', 'maxWriteBufferBytes', 'seenWindowMs', 'seenMax'] as const;
  for (const k of positive) if (!(Number.isSafeInteger(cfg[k]) && cfg[k] > 0)) throw new ConfigError(`${k} must be a positive integer`);
  for (const k of ['targetOutbound', 'maxInbound', 'shunMs', 'port'] as const) {
    if (!(Number.isSafeInteger(cfg[k]) && cfg[k] >= 0)) throw new ConfigError(`${k} must be a non-negative integer`);
  }
  if (cfg.port > 65535) throw new ConfigError('port must be at most 65535');
  if (cfg.maxFrameBytes > 0xffffffff) throw new ConfigError('maxFrameBytes must fit the 32-bit length prefix');
  // A full frame must always fit, or every large legitimate message would drop the peer.
  if (cfg.maxWriteBufferBytes < 2 * cfg.maxFrameBytes) throw new ConfigError('maxWriteBufferBytes must be at least 2 × maxFrameBytes');
  if (cfg.idleTimeoutMs < cfg.pingIntervalMs) throw new ConfigError('idleTimeoutMs must be at least pingIntervalMs');
  if (!(cfg.backoff.baseMs > 0 && cfg.backoff.maxMs >= cfg.backoff.baseMs)) throw new ConfigError('backoff needs 0 < baseMs <= maxMs');
  for (const k of ['maxHandshakes', 'maxHandshakesPerAddress'] as const) {
    if (!(Number.isSafeInteger(cfg[k]) && cfg[k] >= 1)) throw new ConfigError(`${k} must be a positive integer`);
  }
  if (!(Number.isSafeInteger(cfg.feelerIntervalMs) && cfg.feelerIntervalMs >= 0)) throw new ConfigError('feelerIntervalMs must be a non-negative integer');
  if (typeof cfg.netGroup !== 'function') throw new ConfigError('netGroup must be a function of a host');
  for (const k of ['unverifiedDialRate', 'peersMessageRate', 'addrLearnRate'] as const) {
    if (typeof cfg[k] !== 'object' || cfg[k] === null) throw new ConfigError(`${k} must be a rate {tokens, perMs, burst}`);
    try {
      verifyRate(cfg[k], k);
    } catch (err) {
      if (err instanceof RateSpecError) throw new ConfigError(err.message);
      throw err;
    }
  }
  try {
    new PeerScores({ ...DEFAULT_SCORE_POLICY, ...cfg.peerScore });
  } catch (err) {
    throw new ConfigError(`peerScore: ${(err as Error).message}`);
  }
  return cfg;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
