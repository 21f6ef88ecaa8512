/**
 * The operator layer under real pm2 (the project's own, private PM2_HOME): a daemon
 * process running src/operator/daemon.ts `main` over the in-memory FakeExchange.
 * Checks what only real pm2 can show: `wait_ready`, param delivery, replies through
 * the bus and through the `pm2 trigger` CLI, a crash-free daemon after junk params,
 * log lines in pm2's log files, a bad config that stops instead of restart-looping,
 * and a clean SIGINT shutdown. The end-to-end test over the real exchange is separate.
 */
import * as path from 'node:path';
import { Pm2Driver } from './support/pm2-driver';

const FIXTURE = path.join(__dirname, 'support/fake-node.js');

let pm2: Pm2Driver;
let home: string;

function app(name: string, env: Record<string, string>) {
  return {
    name,
    script: FIXTURE,
    env: { NAME: name, PORT: '0', DATA_DIR: path.join(home, 'data', name), ...env },
    wait_ready: true,
    listen_timeout: 10_000,
    kill_timeout: 5000,
    stop_exit_codes: [2],
    autorestart: true,
    min_uptime: 1000,
    max_restarts: 2,
  };
}

beforeAll(async () => {
  pm2 = await Pm2Driver.inTempHome('pm2-operator-', 15_000);
  home = pm2.pm2Home;
  await pm2.start({ apps: [app('op1', {})] });
}, 60_000);

afterAll(async () => {
  await pm2?.dispose();
}, 30_000);

it('is online and answers through the bus', async () => {
  const status = (await pm2.trigger('op1', 'status')) as { ok: boolean; nodeId: string };
  expect(status.ok).toBe(true);
  expect(status.nodeId).toMatch(/^[0-9a-f]{64}$/);
});

it('receives the raw CLI string, refuses junk, and never crashes', async () => {
  const placed = (await pm2.trigger('op1', 'addOrder', '{"buy":"BTC","sell":"USD","price":50000,"amount":1}')) as Record<string, unknown>;
  expect(placed).toMatchObject({ ok: true, rested: '1.00000000', order: { side: 'buy', price: '50000.00' } });

  for (const [param, code] of [
    ['{side:buy}', 'BAD_PARAM_JSON'],
    ['42', 'BAD_PARAM'],
    ['{"side":"buy","price":50000,"amount":-1}', 'NOT_POSITIVE'],
    ['{"side":"buy","price":50000,"amount":0.000000001}', 'TOO_PRECISE'],
    [undefined, 'BAD_PARAM'],
  ] as const) {
    expect(await pm2.trigger('op1', 'addOrder', param)).toEqual({ ok: false, action: 'addOrder', error: expect.objectContaining({ code }) });
  }
  expect(await pm2.trigger('op1', 'cancelOrder', '{"id":"nope"}')).toEqual({ ok: false, action: 'cancelOrder', error: expect.objectContaining({ code: 'UNKNOWN_ORDER' }) });
  expect(await pm2.trigger('op1', 'connect', '127.0.0.1:3999')).toMatchObject({ ok: true, peer: { address: '127.0.0.1:3999' } });

  const d = await pm2.describe('op1');
  expect(d.pm2_env?.status).toBe('online');
  expect(d.pm2_env?.restart_time).toBe(0);
  expect(((await pm2.trigger('op1', 'myOrders')) as { orders: unknown[] }).orders).toHaveLength(1);
});

it('answers the real `pm2 trigger` CLI, which exits', async () => {
  const r = await pm2.cli(['trigger', 'op1', 'addOrder', '{"side":"sell","price":"51000","amount":"0.5"}']);
  expect(r.code).toBe(0);
  const line = r.stdout.split('\n').find((l) => l.startsWith('[op1:'));
  expect(line).toBeDefined();
  const reply = JSON.parse(line!.slice(line!.indexOf(']=') + 2));
  expect(reply).toMatchObject({ ok: true, order: { side: 'sell', price: '51000.00', amount: '0.50000000', amountSats: 50_000_000 } });

  const unknown = await pm2.cli(['trigger', 'op1', 'noSuchAction']);
  expect(unknown.code).toBe(1);
});

it('writes one readable line per event to the pm2 log', async () => {
  const { out } = await pm2.logFiles('op1');
  const lines = out.split('\n');
  expect(lines.some((l) => / op1 daemon\.ready node=[0-9a-f]{8} addr=127\.0\.0\.1:\d+$/.test(l))).toBe(true);
  expect(lines.some((l) => / op1 order\.added id=\S+ owner=[0-9a-f]{8} side=buy price=50000\.00 amount=1\.00000000$/.test(l))).toBe(true);
  expect(lines.some((l) => / op1 peer\.connected peer=[0-9a-f]{8} addr=127\.0\.0\.1:3999 dir=outbound$/.test(l))).toBe(true);
  expect(lines.some((l) => / op1 action action=addOrder ok=false code=BAD_PARAM_JSON ms=\d+$/.test(l))).toBe(true);
});

it('a bad configuration stops the app with a clear message instead of restarting it', async () => {
  const exited = pm2.waitForProcessEvent('bad', 'exit');
  // wait_ready off: a process that never becomes ready would hold `start` for listen_timeout.
  await pm2.start({ apps: [{ ...app('bad', { PORT: 'eighty' }), wait_ready: false }] });
  await exited;
  const d = await pm2.describe('bad');
  expect(d.pm2_env?.status).toBe('stopped');
  expect(d.pm2_env?.restart_time).toBe(0);
  const { err } = await pm2.logFiles('bad');
  expect(err).toContain('p2p-exchange: bad configuration: PORT: "eighty" must be an integer 0-65535');
});

it('shuts down cleanly on SIGINT (pm2 stop) within kill_timeout', async () => {
  const stopped = pm2.waitForLog('op1', /daemon\.stopped/);
  await pm2.stop('op1');
  await stopped;
  expect((await pm2.describe('op1')).pm2_env?.status).toBe('stopped');
  const { out } = await pm2.logFiles('op1');
  expect(out).toMatch(/ op1 daemon\.stopping signal=SIGINT\n/);
});
