/**
 * The client (`p2p-exchange`, src/client/) against real pm2 on a private PM2_HOME,
 * driving a daemon over the FakeExchange (support/fake-node.js). What pm2 alone cannot
 * do, the client must: many calls of different actions in flight on one node at once,
 * from one process and from many, each with its own reply (checked by ref and by
 * content); a timeout and a refusal that exit non-zero; nothing sent when there is no
 * daemon, node or action.
 *
 * The bin runs from dist/ (`npm test` builds it first, as for the e2e test).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClientError, Pm2Client } from '../../src/client/pm2-client';
import { HANG_ORDER, SLOW_ORDER, UNANSWERED_ORDER } from './support/fake-exchange';
import { Pm2Driver } from './support/pm2-driver';

const ROOT = path.join(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/p2p-exchange.js');
const FIXTURE = path.join(__dirname, 'support/fake-node.js');
/** Long enough that every call of a burst is in flight on the node at the same time. */
const REPLY_DELAY_MS = 300;

let pm2: Pm2Driver;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The bin as a script runs it: its own process, its own pm2 connection and bus. */
function client(args: string[], opts: { npx?: boolean } = {}): Promise<Run> {
  const [file, argv] = opts.npx ? ['npx', ['--no', 'p2p-exchange', ...args]] : [process.execPath, [BIN, ...args]];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { cwd: ROOT, timeout: 60_000, killSignal: 'SIGKILL', env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      if (err && (err as { killed?: boolean }).killed) return reject(new Error(`p2p-exchange ${args.join(' ')}: did not exit`));
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

const home = () => ['--pm2-home', pm2.pm2Home];

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist/client/cli.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  pm2 = await Pm2Driver.inTempHome('p2px-client-', 20_000);
  await pm2.start({
    apps: [
      {
        name: 'op1',
        script: FIXTURE,
        env: { NAME: 'op1', PORT: '0', DATA_DIR: path.join(pm2.pm2Home, 'data/op1'), REPLY_DELAY_MS: String(REPLY_DELAY_MS), ACTION_TIMEOUT_MS: '600000' },
        wait_ready: true,
        listen_timeout: 10_000,
        kill_timeout: 5000,
        autorestart: false,
      },
    ],
  });
}, 60_000);

afterAll(async () => {
  await pm2?.dispose();
}, 30_000);

describe('one process, many calls in flight on one node', () => {
  let c: Pm2Client;
  beforeAll(async () => {
    // The driver's connection already set this process's PM2_HOME; the client sets and restores its own.
    c = await Pm2Client.connect(pm2.pm2Home, 15_000);
  });
  afterAll(async () => {
    await c?.close();
  });

  it('gives each call its own reply, by ref and by content, even out of order', async () => {
    const N = 8;
    const calls: Array<{ ref: string; action: string; param: Record<string, unknown>; check(r: Record<string, unknown>): void }> = [];
    // Sent first, answered last: a client that took the first reply of the process (pm2's
    // CLI), or of the action, would hand these callers someone else's reply.
    for (let i = 1; i <= 3; i++) {
      calls.push({
        ref: `slow-${i}`,
        action: 'acceptOrder',
        param: { id: SLOW_ORDER, amount: `0.0${i}` },
        check: (r) => expect(r).toMatchObject({ ok: true, orderId: SLOW_ORDER, requestedSats: i * 1_000_000 }),
      });
    }
    for (let i = 0; i < N; i++) {
      calls.push({
        ref: `accept-${i}`,
        action: 'acceptOrder',
        param: { id: `missing-${i}` },
        check: (r) => expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_ORDER', message: `no open order missing-${i}` } }),
      });
      const price = 40_000 + i;
      calls.push({
        ref: `add-${i}`,
        action: 'addOrder',
        param: { side: 'buy', price, amount: 0.01 },
        check: (r) => expect(r).toMatchObject({ ok: true, order: { price: `${price}.00`, side: 'buy' } }),
      });
      calls.push({
        ref: `cancel-${i}`,
        action: 'cancelOrder',
        param: { id: `no-such-order-${i}` },
        check: (r) => expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_ORDER', message: `no open order no-such-order-${i}` } }),
      });
      calls.push({ ref: `status-${i}`, action: 'status', param: {}, check: (r) => expect(r).toMatchObject({ ok: true, nodeId: expect.stringMatching(/^[0-9a-f]{64}$/) }) });
      calls.push({ ref: `orders-${i}`, action: 'orders', param: {}, check: (r) => expect(r).toMatchObject({ ok: true, bids: expect.any(Array), asks: expect.any(Array) }) });
      calls.push({ ref: `peers-${i}`, action: 'peers', param: {}, check: (r) => expect(r).toMatchObject({ ok: true, peers: expect.any(Array) }) });
    }
    calls.push({ ref: 'connect-1', action: 'connect', param: { address: '127.0.0.1:3999' }, check: (r) => expect(r).toMatchObject({ ok: true, peer: { address: '127.0.0.1:3999' } }) });

    const replies = await Promise.all(calls.map((k) => c.call('op1', k.action, { ...k.param, ref: k.ref }, 30_000)));
    replies.forEach((r, i) => {
      expect(r).toMatchObject({ action: calls[i]!.action, ref: calls[i]!.ref });
      calls[i]!.check(r);
    });
    // Every addOrder rested exactly once: no reply was lost or given to two callers.
    const ids = replies.filter((r) => r.action === 'addOrder').map((r) => (r.order as { id: string }).id);
    expect(new Set(ids).size).toBe(N);
  });

  it('times out with NO_REPLY when the node does not answer', async () => {
    const err = await c.call('op1', 'acceptOrder', { id: HANG_ORDER, ref: 'hang-1' }, 1000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientError);
    expect(err).toMatchObject({ code: 'NO_REPLY', message: expect.stringContaining('its outcome is unknown') });
  });

  it('refuses, without sending, a node or action that does not exist', async () => {
    await expect(c.call('nobody', 'status', { ref: 'r' }, 5000)).rejects.toMatchObject({ code: 'UNKNOWN_PROCESS' });
    await expect(c.call('op1', 'noSuchAction', { ref: 'r' }, 5000)).rejects.toMatchObject({ code: 'UNKNOWN_ACTION' });
  });
});

describe('the bin, as scripts run it', () => {
  it('many client processes at once on one node each print their own reply', async () => {
    const jobs = [
      { args: ['op1', 'acceptOrder', `{"id":"${SLOW_ORDER}","amount":0.05}`, '--ref', 'p-slow'], code: 0, expect: { ok: true, action: 'acceptOrder', ref: 'p-slow', requestedSats: 5_000_000 } },
      { args: ['op1', 'acceptOrder', '{"id":"gone-9"}', '--ref', 'p-accept'], code: 1, expect: { ok: false, action: 'acceptOrder', ref: 'p-accept', error: { code: 'UNKNOWN_ORDER' } } },
      ...[0, 1, 2].map((i) => ({ args: ['op1', 'addOrder', JSON.stringify({ side: 'sell', price: 60_000 + i, amount: 0.02, ref: `p-add-${i}` })], code: 0, expect: { ok: true, action: 'addOrder', ref: `p-add-${i}`, order: { price: `${60_000 + i}.00` } } })),
      ...[0, 1].map((i) => ({ args: ['op1', 'cancelOrder', JSON.stringify({ id: `gone-${i}` }), '--ref', `p-cancel-${i}`], code: 1, expect: { ok: false, action: 'cancelOrder', ref: `p-cancel-${i}`, error: { code: 'UNKNOWN_ORDER', message: `no open order gone-${i}` } } })),
      { args: ['op1', 'status', '--ref', 'p-status'], code: 0, expect: { ok: true, action: 'status', ref: 'p-status', nodeId: expect.any(String) } },
      { args: ['op1', 'myOrders', '{"ref":"p-mine"}'], code: 0, expect: { ok: true, action: 'myOrders', ref: 'p-mine', orders: expect.any(Array) } },
      { args: ['op1', 'connect', '127.0.0.1:3999', '--ref', 'p-connect'], code: 0, expect: { ok: true, action: 'connect', ref: 'p-connect', peer: { address: '127.0.0.1:3999' } } },
    ];
    const runs = await Promise.all(jobs.map((j) => client([...j.args, ...home()])));
    runs.forEach((run, i) => {
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: jobs[i]!.code, stderr: '' });
      expect(JSON.parse(run.stdout)).toMatchObject(jobs[i]!.expect);
    });
  }, 90_000);

  it('makes up a ref when none is given, and --pretty indents', async () => {
    const run = await client(['--pretty', 'op1', 'peers', ...home()]);
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith('{\n  "ok": true,\n  "action": "peers",\n  "ref": "')).toBe(true);
    expect(JSON.parse(run.stdout).ref).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exits 3 with a clear message when no reply comes in time', async () => {
    const run = await client(['--timeout', '1000', 'op1', 'acceptOrder', `{"id":"${HANG_ORDER}"}`, '--ref', 'slow-1', ...home()]);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('p2p-exchange: no reply from op1 to acceptOrder (ref slow-1) within 1000 ms: its outcome is unknown; check trades / myOrders on op1 (ref slow-1)\n');
  });

  it('exits 3 on an OUTCOME_UNKNOWN reply, and prints it', async () => {
    const run = await client(['op1', 'acceptOrder', `{"id":"${UNANSWERED_ORDER}","amount":0.1}`, ...home()]);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, action: 'acceptOrder', error: { code: 'OUTCOME_UNKNOWN', cause: 'OWNER_NOT_ANSWERING' }, pending: { requestedSats: 10_000_000 } });
  });

  it('exits 2 on bad usage and 4 when nothing could be delivered, sending nothing', async () => {
    const bad = await client(['op1', 'addOrder', '{side:buy}', ...home()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('the param is not JSON');
    const badRef = await client(['op1', 'status', '--ref', 'has space', ...home()]);
    expect(badRef.code).toBe(2);
    expect(badRef.stderr).toContain('"ref" must be printable ASCII without spaces');

    const noNode = await client(['op9', 'status', ...home()]);
    expect(noNode).toMatchObject({ code: 4, stdout: '', stderr: expect.stringContaining('no process op9') });
    const noAction = await client(['op1', 'launchRockets', ...home()]);
    expect(noAction).toMatchObject({ code: 4, stdout: '', stderr: 'p2p-exchange: op1 has no action launchRockets\n' });

    const empty = await mkdtemp(path.join(os.tmpdir(), 'p2px-nopm2-'));
    try {
      const noDaemon = await client(['op1', 'status', '--pm2-home', empty]);
      expect(noDaemon).toMatchObject({ code: 4, stdout: '', stderr: `p2p-exchange: no pm2 daemon at ${empty}: start the nodes first (npm start)\n` });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('runs as `npx p2p-exchange` from the project', async () => {
    const run = await client(['op1', 'status', '--ref', 'via-npx', ...home()], { npx: true });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, action: 'status', ref: 'via-npx' });
  });
});
