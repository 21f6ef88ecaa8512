import { realClock } from '../../../src/clock/real-clock';
import { silentLogger } from '../../../src/log/logger';
import { Identity } from '../../../src/identity/identity';
import { ManagerConfig, PeerManager } from '../../../src/peer/manager';
import type { LinkServices } from '../../../src/peer/protocol';
import { DEFAULTS } from '../../../src/net/options';
import { tcpTransport } from '../../../src/transport/tcp';

/**
 * A peer manager that never listens: the tests attach in-memory streams to it. Events
 * and syncs go nowhere; `peers` messages go to the manager itself.
 */
export function memoryManager(overrides: Partial<ManagerConfig> = {}): PeerManager {
  const services: LinkServices = {
    onPeers: (link, msg) => m.onPeers(link, msg),
    onEvent: () => {},
    onSync: () => {},
    onProof: () => {},
  };
  const m: PeerManager = new PeerManager(
    {
      ...DEFAULTS,
      identity: Identity.generate(),
      clock: realClock,
      transport: tcpTransport(realClock),
      log: silentLogger,
      ...overrides,
    },
    services,
  );
  return m;
}
