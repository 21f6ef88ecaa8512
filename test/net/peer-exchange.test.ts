import { NetNode } from '../../src/net/node';
import { degrees, FAST, isConnectedGraph, tempDir } from './support/cluster';
import { waitUntil } from './support/wait';

const N = 6;
const TARGET = 3;
const dirs = Array.from({ length: N }, () => tempDir());
let nodes: NetNode[] = [];

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  for (const d of dirs) d.remove();
});

const start = (i: number, port = 0, peers: NetNode[] = []) =>
  NetNode.start({ ...FAST, dataDir: dirs[i].path, port, targetOutbound: TARGET, peers: peers.map((p) => ({ host: '127.0.0.1', port: p.port })) });

const connectedTo = (n: NetNode, id: string) => n.peers().some((p) => p.nodeId === id);

test(`${N} nodes each knowing only the previous one reach degree ${TARGET} in one connected graph; a restarted node is reconnected`, async () => {
  for (let i = 0; i < N; i++) nodes.push(await start(i, 0, i > 0 ? [nodes[i - 1]] : []));
  const formed = () => isConnectedGraph(nodes) && degrees(nodes).every((d) => d >= TARGET);
  await waitUntil(nodes, ['peer', 'peer-closed'], formed, () => `degrees ${degrees(nodes)}`);
  // Peer exchange, not just the chain: most nodes met someone they were never told about at start.
  expect(degrees(nodes).reduce((a, b) => a + b, 0) / 2).toBeGreaterThan(N - 1);
  // One link per pair at most.
  for (const n of nodes) expect(new Set(n.peers().map((p) => p.nodeId)).size).toBe(n.peers().length);

  // Crash node 2 (no goodbye), then restart it on the same port with the same data dir.
  const victim = nodes[2];
  const { nodeId, port } = victim;
  const dialledIt = nodes.filter((n) => n.peers().some((p) => p.nodeId === nodeId && p.direction === 'outbound'));
  expect(dialledIt.length).toBeGreaterThan(0);
  const others = nodes.filter((n) => n !== victim);
  const gone = waitUntil(others, ['peer-closed'], () => others.every((n) => !connectedTo(n, nodeId)));
  await victim.close({ abrupt: true });
  await gone;

  const back = await start(2, port);
  nodes[2] = back;
  expect(back.nodeId).toBe(nodeId); // same identity from the data dir
  const rejoined = () => isConnectedGraph(nodes) && back.peers().length >= TARGET && dialledIt.every((n) => connectedTo(n, nodeId));
  await waitUntil(nodes, ['peer', 'peer-closed'], rejoined, () => `degrees ${degrees(nodes)}; redialled by ${dialledIt.filter((n) => connectedTo(n, nodeId)).length}/${dialledIt.length}`);
});
