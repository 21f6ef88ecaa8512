/**
 * How long an honest owner takes to answer (accept sent → answer received: accept()'s
 * round trip), for the accept timeout's default (issue 11: "shorten the default accept
 * timeout if measurements support it"). Two sources:
 * - loopback TCP: the benchmark's own honest samples (baselines, and during attacks);
 * - the in-memory network (src/sim/world.ts: the daemon's code on simulated links, in
 *   virtual time) with 50–150 ms one-way links, with and without loss, on a 16-node
 *   network that links itself by peer exchange, so taker and owner are often hops apart.
 *   Virtual time counts the wire only: add the loopback figures for the CPU.
 */
import type { Exchange } from '../src/exchange/exchange';
import type { OrderView } from '../src/exchange/api';
import { World, type SimNode } from '../src/sim/world';
import type { LinkProfile } from '../src/transport/memory';
import { rng } from './matching-workload';
import type { Sample } from './adversary-honest';
import { HONEST_PRICE, LOT } from './adversary-market';
import { quantile } from './adversary-probe';

const NODES = 16;
/** Each node dials this many earlier ones at start; peer exchange does the rest. */
const SEED_LINKS = 2;
/**
 * Outbound links per node (the daemon's default is 8, which makes 16 nodes nearly a full
 * mesh): 3 leaves takers and owners one to three hops apart, as in a larger network.
 */
const TARGET_OUTBOUND = 3;
/** Takes per round, each by a different maker (a maker's adds are budgeted at 5/s). */
const PER_ROUND = 10;
const ROUNDS = 40;
/** Virtual time between rounds: one add per maker per round stays far under its budget. */
const ROUND_GAP_MS = 1_000;
/** Virtual time the network gets to mesh (peer exchange, outbound slots) before sampling. */
const MESH_MS = 30_000;

const PROFILES: Array<{ name: string; link: Partial<LinkProfile> }> = [
  { name: 'in-memory, 50–150 ms one way', link: { latencyMs: 50, jitterMs: 100 } },
  { name: 'in-memory, 50–150 ms, 1% of writes lost (200 ms retransmit)', link: { latencyMs: 50, jitterMs: 100, loss: 0.01, retransmitMs: 200 } },
];

const QS: Array<[string, number]> = [
  ['p50', 0.5],
  ['p90', 0.9],
  ['p99', 0.99],
  ['p99.9', 0.999],
  ['max', 1],
];

function line(name: string, xs: number[], extra = ''): string {
  const cells = QS.map(([, q]) => (xs.length ? fmt(quantile(xs, q)) : '—'));
  return `| ${name}${extra} | ${xs.length} | ${cells.join(' | ')} |`;
}

const fmt = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(0));

export async function answerTimes(samples: Sample[]): Promise<string> {
  const rows = [`| where | answers | ${QS.map(([n]) => `${n} ms`).join(' | ')} |`, `|---|---:|${QS.map(() => '---:').join('|')}|`];
  const ok = (phase: string) => samples.filter((s) => s.ok && s.phase.endsWith(`:${phase}`)).map((s) => s.ms);
  if (samples.length) {
    rows.push(line('loopback TCP, baselines (3 nodes, one process)', ok('base')));
    rows.push(line('loopback TCP, during the attacks (answered takes only)', ok('attack')));
  }
  if (process.env.ADVERSARY_SIM !== '0') {
    for (const p of PROFILES) {
      const r = await simulated(p.link);
      rows.push(line(p.name, r.ms, r.note));
    }
  }
  return rows.join('\n');
}

/** Answer times (virtual ms) on a simulated network with the given links. */
async function simulated(link: Partial<LinkProfile>): Promise<{ ms: number[]; note: string }> {
  const world = new World({ seed: 11, link, net: { targetOutbound: TARGET_OUTBOUND } });
  const pick = rng(7);
  try {
    const nodes: SimNode[] = [];
    for (let i = 0; i < NODES; i++) {
      const peers = i === 0 ? [] : Array.from({ length: Math.min(i, SEED_LINKS) }, () => nodes[Math.floor(pick() * i)]);
      nodes.push(await world.addNode({ peers: [...new Set(peers)] }));
    }
    await world.run(MESH_MS);
    await world.settle();
    const out: number[] = [];
    const hops: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const makers = shuffled(nodes, pick).slice(0, PER_ROUND);
      const takes = makers.map(async (m) => {
        let taker = m;
        while (taker === m) taker = nodes[Math.floor(pick() * nodes.length)];
        const placed = await m.ex.place({ side: 'sell', price: HONEST_PRICE, amount: LOT });
        await known(taker.ex, placed.order!.id);
        const t0 = world.clock.now();
        const res = await taker.ex.accept(placed.order!.id, LOT);
        if (res.filled === LOT) out.push(world.clock.now() - t0);
        hops.push(distance(nodes, m, taker));
      });
      await world.until(Promise.all(takes), 60_000);
      await world.run(ROUND_GAP_MS);
    }
    const byHops = [1, 2, 3, 4].map((h) => hops.filter((x) => x === h).length).join('/');
    return { ms: out, note: `; ${links(nodes)} links, taker–owner 1/2/3/4 hops apart: ${byHops}` };
  } finally {
    await world.close();
  }
}

function known(ex: Exchange, id: string): Promise<void> {
  if (ex.order(id)) return Promise.resolve();
  return new Promise((resolve) => {
    const on = (o: OrderView): void => {
      if (o.id !== id) return;
      ex.off('order', on);
      resolve();
    };
    ex.on('order', on);
  });
}

/** Links in the network now (each counted once). */
function links(nodes: SimNode[]): number {
  return nodes.reduce((n, x) => n + x.ex.peers().length, 0) / 2;
}

/** Fewest links between two nodes over the current links (breadth first). */
function distance(nodes: SimNode[], a: SimNode, b: SimNode): number {
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  let frontier = [a];
  const seenIds = new Set([a.nodeId]);
  for (let d = 1; frontier.length; d++) {
    const next: SimNode[] = [];
    for (const n of frontier) {
      for (const p of n.ex.peers()) {
        if (p.nodeId === b.nodeId) return d;
        const x = byId.get(p.nodeId);
        if (x && !seenIds.has(x.nodeId)) {
          seenIds.add(x.nodeId);
          next.push(x);
        }
      }
    }
    frontier = next;
  }
  return Infinity;
}

function shuffled<T>(xs: T[], r: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
