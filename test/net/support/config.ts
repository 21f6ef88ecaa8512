import { silentLogger } from '../../../src/log/logger';
import { Identity } from '../../../src/identity/identity';
import { ManagerConfig, PeerManager } from '../../../src/peer/manager';
import { DEFAULTS } from '../../../src/net/options';

/** A peer manager that never listens: the tests attach in-memory streams to it. */
export function memoryManager(overrides: Partial<ManagerConfig> = {}): PeerManager {
  return new PeerManager({
    ...DEFAULTS,
    identity: Identity.generate(),
    now: Date.now,
    random: Math.random,
    log: silentLogger,
    ...overrides,
  });
}
