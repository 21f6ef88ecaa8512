import { NetNode } from '../../src/net/node';

test('smoke', async () => {
  const a = await NetNode.start({});
  const b = await NetNode.start({ syncSource: () => [] });
  const got: string[] = [];
  const done = new Promise<void>((r) => b.on('event', (ev) => { got.push(ev.kind); r(); }));
  const syncDone = new Promise((r) => a.on('sync-done', (_p, n) => r(n)));
  const p = await a.connect('127.0.0.1', b.port);
  expect(p.nodeId).toBe(b.nodeId);
  expect(await syncDone).toBe(0);
  a.publish('x', { n: 5_000_000_000, s: 'hi' });
  await done;
  expect(got).toEqual(['x']);
  await Promise.all([a.close(), b.close()]);
});
