/**
 * A hostile peer inside a simulated world (src/sim/world.ts): it dials a node over the
 * in-memory network from its own address and completes a real handshake, on the world's
 * clock. Time then passes only when the test moves it, so TTLs, budgets refilling and
 * cool-downs cost no waiting.
 */
import { SIM_PORT, type SimNode, type World } from '../../src/sim/world';
import { Attacker, type AttackerOptions } from './attacker';

let nextHost = 1;

/** Connects a new attacker (from 10.200.x.y) to `to`, linked once this resolves. */
export async function attackerIn(w: World, to: SimNode, opts: AttackerOptions = {}): Promise<Attacker> {
  const n = nextHost++;
  const host = `10.200.${(n >> 8) & 255}.${n & 255}`;
  const stream = await w.until(w.network.transport(host).connect(to.host, SIM_PORT, { timeoutMs: 5_000 }));
  return w.until(Attacker.over(stream, { now: () => w.clock.now(), ...opts }));
}
