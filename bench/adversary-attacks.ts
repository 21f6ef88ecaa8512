/**
 * The attacks the benchmark knows, by name, and the messages between the main process
 * and an attacker process.
 */
import type { Attack, Counts } from './adversary-attack';
import { acceptSpamFreshKeys, acceptSpamOneKey } from './adversary-attack-accepts';
import { eclipse } from './adversary-attack-eclipse';
import { floodFreshKeys, floodOneKey } from './adversary-attack-flood';
import { silentMaker } from './adversary-attack-silent';
import { slotFill } from './adversary-attack-slots';

export const ATTACKS: Record<string, () => Attack> = {
  'flood-one-key': floodOneKey,
  'flood-fresh-keys': floodFreshKeys,
  'accept-spam-one-key': acceptSpamOneKey,
  'accept-spam-fresh-keys': acceptSpamFreshKeys,
  'silent-maker': silentMaker,
  'slot-fill': slotFill,
  eclipse,
};

export type ToChild = { cmd: 'prepare'; port: number; victimId: string; params: Record<string, string> } | { cmd: 'go' } | { cmd: 'stop' };
export type FromChild = { ready: true } | { report: Counts } | { failed: string } | Record<string, unknown>;
