import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { realClock } from '../../src/clock/real-clock';
import { NetNode, PEERS_FILE } from '../../src/net/node';
import { ANCHOR_COUNT } from '../../src/peer/addrman';
import { tcpTransport } from '../../src/transport/tcp';
import { CountingTransport } from './support/attacker';
import { FAST, tempDir } from './support/cluster';
import { waitUntil } from './support/wait';

const dir = tempDir();
const open: NetNode[] = [];
afterAll(async () => {
  await Promise.all(open.map((n) => n.close()));
  dir.remove();
});

test('anchors: the longest-lived outbound links are saved as anchors and dialled first after a restart', async () => {
  const others: NetNode[] = [];
  for (let i = 0; i < 6; i++) others.push(await NetNode.start({ ...FAST, targetOutbound: 0 }));
  open.push(...others);
  const a = await NetNode.start({ ...FAST, dataDir: dir.path, targetOutbound: 6 });
  for (const o of others) await a.connect('127.0.0.1', o.port); // one after another: the first are the oldest
  await a.close();

  const rows = JSON.parse(readFileSync(join(dir.path, PEERS_FILE), 'utf8')) as Array<{ port: number; anchor?: boolean }>;
  expect(rows).toHaveLength(6);
  const anchors = rows.filter((r) => r.anchor).map((r) => r.port);
  expect(anchors.sort()).toEqual(others.slice(0, ANCHOR_COUNT).map((o) => o.port).sort());

  // Back with room for one outbound link: of six verified addresses, it dials an anchor.
  const transport = new CountingTransport(tcpTransport(realClock));
  const back = await NetNode.start({ ...FAST, dataDir: dir.path, targetOutbound: 1, transport });
  open.push(back);
  await waitUntil([back], ['peer'], () => back.peers().length === 1);
  expect(transport.dials).toHaveLength(1);
  expect(anchors.map((p) => `127.0.0.1:${p}`)).toContain(transport.dials[0]);
});
