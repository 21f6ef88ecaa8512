import { randomBytes } from 'node:crypto';
import { signEvent as signWith, type GossipEvent } from '../../src/gossip/event';
import type { Identity } from '../../src/identity/identity';

/** signEvent with fresh random id bytes (the daemon takes them from its clock). */
export function signEvent(identity: Identity, kind: string, data: Record<string, unknown>, ts: number): GossipEvent {
  return signWith(identity, kind, data, ts, randomBytes(16));
}
