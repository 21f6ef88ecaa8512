import { GossipEvent, NetNode } from '../../src/net/node';
import { degrees, FAST, isConnectedGraph, settle } from './support/cluster';
import { waitUntil } from './support/wait';

const N = 10;
const EVENTS = 200;
const TARGET = 4;

let nodes: NetNode[] = [];
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.close()));
});

test(`${N} nodes, ${EVENTS} events from random nodes: every node delivers every event exactly once`, async () => {
  nodes.push(await NetNode.start({ ...FAST, targetOutbound: TARGET }));
  for (let i = 1; i < N; i++) {
    nodes.push(await NetNode.start({ ...FAST, targetOutbound: TARGET, peers: [{ host: '127.0.0.1', port: nodes[i - 1].port }] }));
  }
  await waitUntil(nodes, ['peer', 'peer-closed'], () => isConnectedGraph(nodes) && degrees(nodes).every((d) => d >= TARGET), () => `degrees ${degrees(nodes)}`);
  await settle(nodes); // the mesh stops changing before traffic starts

  // delivered[node][event id] = times delivered
  const delivered = nodes.map(() => new Map<string, number>());
  const bad: string[] = [];
  nodes.forEach((n, i) =>
    n.on('event', (ev: GossipEvent, from) => {
      delivered[i].set(ev.id, (delivered[i].get(ev.id) ?? 0) + 1);
      if (ev.origin === n.nodeId) bad.push(`node ${i} got its own event`);
      if (from.nodeId === ev.origin && ev.hops !== 0) bad.push(`direct from origin with hops ${ev.hops}`);
    }),
  );
  const published: Array<{ id: string; by: number }> = [];
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let k = 0; k < EVENTS; k++) {
    const by = Math.floor(rand() * N);
    published.push({ id: nodes[by].publish('test.note', { k, by, amount: 5_000_000_000 }).id, by });
  }
  const total = EVENTS * (N - 1);
  const count = () => delivered.reduce((s, m) => s + m.size, 0);
  await waitUntil(nodes, ['event'], () => count() === total, () => `${count()}/${total} deliveries`);
  // Every event frame sent has been received and classified: nothing left in flight.
  const eventFrames = () => {
    let out = 0;
    let inn = 0;
    for (const n of nodes) {
      const s = n.stats();
      out += s.eventsOut;
      inn += s.eventsIn + s.eventsDuplicate + s.eventsStale + s.eventsFuture + s.eventsInvalid;
    }
    return { out, inn };
  };
  await settle(nodes, () => eventFrames().out === eventFrames().inn);

  expect(bad).toEqual([]);
  for (let i = 0; i < N; i++) {
    const mine = published.filter((p) => p.by === i).map((p) => p.id);
    const others = published.filter((p) => p.by !== i).map((p) => p.id);
    expect(others.every((id) => delivered[i].get(id) === 1)).toBe(true);
    expect(mine.some((id) => delivered[i].has(id))).toBe(false);
    expect(delivered[i].size).toBe(others.length);
  }
  const { out } = eventFrames();
  const dups = nodes.reduce((s, n) => s + n.stats().eventsDuplicate, 0);
  const deg = degrees(nodes);
  const edges = deg.reduce((a, b) => a + b, 0) / 2;
  // eslint-disable-next-line no-console
  console.log(
    `gossip: ${N} nodes, ${edges} links (degrees ${deg.join(',')}), ${EVENTS} events: ` +
      `${(out / EVENTS).toFixed(1)} event frames sent per event (minimum possible ${N - 1}, flooding bound 2×links−(N−1) = ${2 * edges - (N - 1)}); ` +
      `${(dups / EVENTS).toFixed(1)} duplicate copies dropped per event`,
  );
  expect(out / EVENTS).toBeLessThanOrEqual(2 * edges - (N - 1));
});
