/**
 * How a run's network starts: how many nodes, each one's latency, which links are slow,
 * each node's clock offset, and whom it dials first. Drawn from the run's seed; the
 * nodes are then started one by one and find the rest of the network by peer exchange.
 */
import type { SeededRandom } from '../clock/seeded-random';
import type { Scenario } from './scenarios';
import type { Trace } from './trace';
import { World, type SimNode } from './world';

/** Starts the scenario's nodes on `world`; each dials up to `bootstrapPeers` earlier ones. */
export async function formNetwork(world: World, sc: Scenario, rng: SeededRandom, trace: Trace, progress?: (line: string) => void): Promise<void> {
  const count = sc.nodes.min + rng.int(sc.nodes.max - sc.nodes.min + 1);
  const latency: number[] = [];
  const slow: boolean[] = [];
  for (let i = 0; i < count; i++) {
    latency.push(sc.latencyMs.min + rng.int(sc.latencyMs.max - sc.latencyMs.min + 1));
    slow.push(rng.random() < sc.slowShare);
  }
  // A link's latency is the mean of its two ends'; a slow end makes the whole link slow.
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < i; j++) {
      const p = { ...sc.link, latencyMs: Math.round((latency[i] + latency[j]) / 2), ...(slow[i] || slow[j] ? sc.slowLink : {}) };
      world.network.setLink(World.hostOf(i), World.hostOf(j), p);
    }
  }
  for (let i = 0; i < count; i++) {
    const clockOffsetMs = Math.round((rng.random() * 2 - 1) * sc.clockOffsetMs);
    const earlier = [...world.nodes];
    const peers: SimNode[] = [];
    while (peers.length < Math.min(sc.bootstrapPeers, earlier.length)) {
      const p = earlier[rng.int(earlier.length)];
      if (!peers.includes(p)) peers.push(p);
    }
    const node = await world.addNode({ clockOffsetMs, peers });
    if ((i + 1) % 50 === 0) progress?.(`  ${i + 1} nodes started`);
    trace.add('node', {
      n: node.index,
      id: node.nodeId.slice(0, 16),
      offset: clockOffsetMs,
      latency: latency[i],
      slow: slow[i],
      peers: peers.map((p) => p.index).join(',') || undefined,
    });
  }
}
