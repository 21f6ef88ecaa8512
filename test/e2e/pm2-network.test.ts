/**
 * End to end with real pm2 (the project's own, private PM2_HOME) and the real daemon
 * (dist/main.js, built by `npm test` before jest runs): the README's walkthrough.
 * Three nodes from ecosystem.config.js on free ports; an order on node1 seen on node3,
 * taken from node2, the trade everywhere; a cancel; a fourth node started on its own
 * joins with `connect` and receives the book; the pm2 log files hold the sync and trade
 * lines; one call goes through the real `pm2 trigger` CLI and two through the project's
 * client (bin/p2p-exchange.js); node1 is killed with SIGKILL
 * mid-story and comes back from its store with its order and trade. `pm2 kill` in teardown.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { Pm2Driver } from '../operator/support/pm2-driver';

const ROOT = path.join(__dirname, '../..');
const MAIN = path.join(ROOT, 'dist/main.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ecosystem = require(path.join(ROOT, 'ecosystem.config.js')) as { network(o: object): Array<Record<string, unknown>> };

type Reply = { ok: boolean; [k: string]: unknown };

let pm2: Pm2Driver;
let home: string;

/** True if nothing listens on `port` (we could bind it). */
function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A base port with `n` consecutive free ports (the ecosystem numbers nodes consecutively). */
async function freePorts(n: number): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = await free(base + i);
    if (ok) return base;
  }
  throw new Error('no free ports');
}

let base = 0;

/** The project's client command (bin/p2p-exchange.js), in its own process. */
function client(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(ROOT, 'bin/p2p-exchange.js'), ...args], { timeout: 60_000, killSignal: 'SIGKILL' }, (err, stdout) => {
      if (err && (err as { killed?: boolean }).killed) return reject(new Error(`p2p-exchange ${args.join(' ')}: did not exit`));
      resolve({ code: err === null ? 0 : ((err as { code?: number }).code ?? null), stdout });
    });
  });
}
const trigger = (name: string, action: string, param?: string) => pm2.trigger(name, action, param) as Promise<Reply>;

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  pm2 = await Pm2Driver.inTempHome('p2px-e2e-', 20_000);
  home = pm2.pm2Home;
  base = await freePorts(4);
  // Exactly the ecosystem file's apps, on free ports and a temp data root.
  await pm2.start({ apps: ecosystem.network({ basePort: base, dataRoot: path.join(home, 'data') }) });
}, 90_000);

afterAll(async () => {
  await pm2?.dispose();
}, 30_000);

test('the README walkthrough, through pm2', async () => {
  // The network forms: node2 and node3 dialled node1; make sure node3 also links node2.
  const linked = await trigger('node3', 'connect', `127.0.0.1:${base + 1}`);
  expect(linked).toMatchObject({ ok: true, peer: { address: `127.0.0.1:${base + 1}` } });

  // 1. node1 sells 1 BTC at 50,000 USD; node3 sees it.
  const seenOn3 = pm2.waitForLog('node3', /order\.added /);
  const placed = await trigger('node1', 'addOrder', '{"side":"sell","price":50000,"amount":1}');
  expect(placed).toMatchObject({ ok: true, rested: '1.00000000', order: { side: 'sell', price: '50000.00', amountSats: 100_000_000 } });
  const id = (placed.order as { id: string }).id;
  await seenOn3;
  const book3 = await trigger('node3', 'orders');
  expect(book3).toMatchObject({ ok: true, asks: [{ id, remaining: '1.00000000', stale: false }], bids: [] });

  // 2. node2 takes 0.4 of it (seed 001's form for the order, then acceptOrder).
  const tradeOn3 = pm2.waitForLog('node3', /\btrade\b/);
  const took = await trigger('node2', 'acceptOrder', JSON.stringify({ id, amount: 0.4 }));
  expect(took).toMatchObject({ ok: true, filled: '0.40000000', trade: { orderId: id, amount: '0.40000000', price: '50000.00' } });
  await tradeOn3;
  for (const name of ['node1', 'node2', 'node3']) {
    const t = await trigger(name, 'trades');
    expect(t).toMatchObject({ ok: true, trades: [{ orderId: id, amountSats: 40_000_000, priceCents: 5_000_000 }] });
  }

  // 2b. kill -9 node1 (the owner): pm2 restarts it, and it has lost nothing it confirmed.
  const pid = (await pm2.describe('node1')).pid!;
  const back = pm2.waitForLog('node1', /daemon\.ready /);
  process.kill(pid, 'SIGKILL');
  await back;
  expect(await trigger('node1', 'trades')).toMatchObject({ ok: true, trades: [{ orderId: id, amountSats: 40_000_000 }] });
  expect(await trigger('node1', 'myOrders')).toMatchObject({ ok: true, orders: [{ id, filledSats: 40_000_000, remainingSats: 60_000_000, status: 'open' }] });
  expect((await pm2.logFiles('node1')).out).toMatch(/ node1 store\.restored events=\d+ skipped=0 orders=1 trades=1\n/);
  // Relink at once rather than wait for the peers' reconnect backoff.
  for (const name of ['node2', 'node3']) expect(await trigger(name, 'connect', `127.0.0.1:${base}`)).toMatchObject({ ok: true });

  // 3. node3 places a crossing buy in seed 001's form: it takes the remaining 0.6.
  const buy = await trigger('node3', 'addOrder', '{"buy":"BTC","sell":"USD","price":50100,"amount":0.6}');
  expect(buy).toMatchObject({ ok: true, filled: '0.60000000', rested: '0.00000000', order: null });

  // 4. A resting order, then its owner cancels it; the others see the cancel.
  const bidOn1 = pm2.waitForLog('node1', /order\.added .*price=49000\.50/);
  const bid = await trigger('node2', 'addOrder', '{"side":"buy","price":"49000.5","amount":"0.25"}');
  const bidId = (bid.order as { id: string }).id;
  await bidOn1; // node1 knows the bid: now its refusal to cancel it is about ownership
  expect(await trigger('node1', 'cancelOrder', JSON.stringify({ id: bidId }))).toMatchObject({ ok: false, error: { code: 'NOT_OWNER' } });
  const cancelledOn1 = pm2.waitForLog('node1', /order\.cancelled /);
  expect(await trigger('node2', 'cancelOrder', JSON.stringify({ id: bidId }))).toMatchObject({ ok: true, order: { status: 'cancelled' } });
  await cancelledOn1;
  expect(await trigger('node1', 'orders')).toMatchObject({ ok: true, bids: [], asks: [] });

  // 5. A fourth node, started on its own, joins with `connect` and gets the book.
  await trigger('node1', 'addOrder', '{"side":"sell","price":51000,"amount":0.1}');
  const solo = ecosystem.network({ basePort: base + 3, count: 1, namePrefix: 'solo', dataRoot: path.join(home, 'data') })[0];
  await pm2.start({ apps: [{ ...solo, name: 'node4', env: { ...(solo.env as object), NAME: 'node4', PEERS: '' } }] });
  expect(await trigger('node4', 'orders')).toMatchObject({ ok: true, asks: [], bids: [] });
  const synced = pm2.waitForLog('node4', /sync\.done /);
  expect(await trigger('node4', 'connect', `127.0.0.1:${base}`)).toMatchObject({ ok: true });
  await synced;
  expect(await trigger('node4', 'orders')).toMatchObject({ ok: true, asks: [{ price: '51000.00', amount: '0.10000000' }] });

  // 6. One call through the real CLI, as an operator types it.
  const cli = await pm2.cli(['trigger', 'node4', 'status']);
  expect(cli.code).toBe(0);
  const line = cli.stdout.split('\n').find((l) => l.startsWith('[node4:'))!;
  expect(JSON.parse(line.slice(line.indexOf(']=') + 2))).toMatchObject({ ok: true, address: `127.0.0.1:${base + 3}` });

  // 6b. The project's client, as scripts should call: two at once on one node, each its own reply.
  const [st, bk] = await Promise.all([
    client(['--pm2-home', home, 'node4', 'status', '--ref', 'e2e-status']),
    client(['--pm2-home', home, 'node4', 'orders', '--ref', 'e2e-orders']),
  ]);
  expect(st.code).toBe(0);
  expect(JSON.parse(st.stdout)).toMatchObject({ ok: true, action: 'status', ref: 'e2e-status', address: `127.0.0.1:${base + 3}` });
  expect(bk.code).toBe(0);
  expect(JSON.parse(bk.stdout)).toMatchObject({ ok: true, action: 'orders', ref: 'e2e-orders', asks: [{ price: '51000.00' }] });

  // 7. pm2's log files tell the story.
  const out1 = (await pm2.logFiles('node1')).out;
  const out4 = (await pm2.logFiles('node4')).out;
  expect(out1).toMatch(/ node1 trade /);
  expect(out1).toMatch(/ node1 peer\.connected /);
  expect(out4).toMatch(/ node4 sync\.done /);
  expect((await pm2.describe('node2')).pm2_env?.restart_time).toBe(0);
  expect((await pm2.describe('node1')).pm2_env?.restart_time).toBe(1); // the kill -9 above
});
