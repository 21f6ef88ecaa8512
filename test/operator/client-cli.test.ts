/**
 * The client's command line without pm2: how arguments become one request (the param
 * object with its ref), and how each outcome becomes output and an exit code. The
 * same client against real pm2 is client-pm2.test.ts.
 */
import * as path from 'node:path';
import { DEFAULT_TIMEOUT_MS, EXIT, runCli, type CliDeps } from '../../src/client/cli';
import { ClientError } from '../../src/client/pm2-client';
import { buildRequest, parseArgs, UsageError } from '../../src/client/request';

const fixedRef = () => 'gen-1';

describe('buildRequest', () => {
  const build = (args: string[], ref?: string) => buildRequest(args, ref, fixedRef);

  it('puts a made-up ref into the param when none is given', () => {
    expect(build(['node1', 'addOrder', '{"side":"buy","price":1,"amount":1}'])).toEqual({
      node: 'node1',
      action: 'addOrder',
      param: { side: 'buy', price: 1, amount: 1, ref: 'gen-1' },
      ref: 'gen-1',
    });
  });

  it('keeps the caller\'s ref, from the param or from --ref', () => {
    expect(build(['n', 'cancelOrder', '{"id":"x","ref":"mine"}']).ref).toBe('mine');
    expect(build(['n', 'cancelOrder', '{"id":"x"}'], 'opt').param).toEqual({ id: 'x', ref: 'opt' });
    expect(build(['n', 'cancelOrder', '{"id":"x","ref":"same"}'], 'same').ref).toBe('same');
  });

  it('sends actions without a param as {ref}', () => {
    expect(build(['n', 'status']).param).toEqual({ ref: 'gen-1' });
    expect(build(['n', 'status', ' ']).param).toEqual({ ref: 'gen-1' });
  });

  it('sends connect\'s bare host:port as {"address"}', () => {
    expect(build(['n', 'connect', '127.0.0.1:3002']).param).toEqual({ address: '127.0.0.1:3002', ref: 'gen-1' });
    expect(build(['n', 'connect', '"[::1]:3002"']).param).toEqual({ address: '[::1]:3002', ref: 'gen-1' });
    expect(build(['n', 'connect', '{"host":"h","port":1}']).param).toEqual({ host: 'h', port: 1, ref: 'gen-1' });
  });

  it.each([
    [['n'], 'give a node and an action'],
    [['n', 'addOrder', '{side:buy}'], 'the param is not JSON'],
    [['n', 'addOrder', '[1]'], 'the param must be a JSON object'],
    [['n', 'addOrder', '42'], 'the param must be a JSON object'],
    [['n', 'addOrder', '{"side":"buy"}', 'extra'], 'one param only'],
    [['n', 'status', '{"ref":42}'], '"ref" must be a string'],
    [['n', 'status', JSON.stringify({ ref: 'r'.repeat(65) })], '"ref" must be 1-64 characters'],
  ])('refuses %j before sending anything', (args, message) => {
    expect(() => build(args)).toThrow(UsageError);
    expect(() => build(args)).toThrow(message);
  });

  it('refuses two different refs', () => {
    expect(() => build(['n', 'status', '{"ref":"a"}'], 'b')).toThrow('two different refs');
  });
});

describe('parseArgs', () => {
  it('takes options anywhere, and everything after -- as positional', () => {
    expect(parseArgs(['node1', '--pretty', 'status', '--timeout=500', '--ref', 'r1', '--pm2-home', '/tmp/h'])).toEqual({
      options: { pretty: true, timeoutMs: 500, pm2Home: '/tmp/h', help: false },
      args: ['node1', 'status'],
      ref: 'r1',
    });
    expect(parseArgs(['n', 'a', '--', '-x']).args).toEqual(['n', 'a', '-x']);
  });

  it.each([
    [['--timeout', 'soon'], '--timeout must be a whole number'],
    [['--timeout', '0'], '--timeout must be a whole number'],
    [['--timeout'], '--timeout needs a value'],
    [['--verbose'], 'unknown option --verbose'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('runCli', () => {
  interface Seen {
    home?: string;
    timeoutMs?: number;
    call?: unknown[];
    closed: boolean;
  }

  function run(argv: string[], answer: () => Promise<Record<string, unknown>>) {
    const out: string[] = [];
    const err: string[] = [];
    const seen: Seen = { closed: false };
    const deps: CliDeps = {
      projectRoot: '/proj',
      stdout: (t) => void out.push(t),
      stderr: (t) => void err.push(t),
      makeRef: fixedRef,
      connect: async (home, timeoutMs) => {
        seen.home = home;
        seen.timeoutMs = timeoutMs;
        return {
          call: async (...args: unknown[]) => {
            seen.call = args;
            return answer();
          },
          close: async () => void (seen.closed = true),
        };
      },
    };
    return runCli(argv, deps).then((code) => ({ code, stdout: out.join(''), stderr: err.join(''), seen }));
  }

  const reply = (r: Record<string, unknown>) => () => Promise.resolve(r);

  it('prints the reply as one JSON line and exits 0 on ok, using the project\'s pm2 home', async () => {
    const r = await run(['node1', 'status'], reply({ ok: true, action: 'status', ref: 'gen-1', nodeId: 'ab' }));
    expect(r).toMatchObject({ code: EXIT.OK, stdout: '{"ok":true,"action":"status","ref":"gen-1","nodeId":"ab"}\n', stderr: '' });
    expect(r.seen).toEqual({ home: path.resolve('/proj/.pm2'), timeoutMs: DEFAULT_TIMEOUT_MS, call: ['node1', 'status', { ref: 'gen-1' }, DEFAULT_TIMEOUT_MS], closed: true });
  });

  it('indents with --pretty, and takes --pm2-home and --timeout', async () => {
    const r = await run(['--pretty', '--pm2-home', '/elsewhere', '--timeout', '1234', 'n', 'peers'], reply({ ok: true, peers: [] }));
    expect(r.stdout).toBe('{\n  "ok": true,\n  "peers": []\n}\n');
    expect(r.seen).toMatchObject({ home: '/elsewhere', timeoutMs: 1234 });
  });

  it('exits 1 on a refusal, 3 on OUTCOME_UNKNOWN, printing the reply either way', async () => {
    const refused = await run(['n', 'cancelOrder', '{"id":"x"}'], reply({ ok: false, error: { code: 'NOT_OWNER', message: 'no' } }));
    expect(refused).toMatchObject({ code: EXIT.FAILED, stdout: expect.stringContaining('NOT_OWNER'), stderr: '' });
    const unknown = await run(['n', 'acceptOrder', '{"id":"x"}'], reply({ ok: false, error: { code: 'OUTCOME_UNKNOWN', message: 'later' }, pending: { check: 'trades' } }));
    expect(unknown).toMatchObject({ code: EXIT.UNKNOWN, stdout: expect.stringContaining('OUTCOME_UNKNOWN') });
  });

  it('exits 3 when no reply comes, saying where to look', async () => {
    const r = await run(['n', 'acceptOrder', '{"id":"x"}'], () => Promise.reject(new ClientError('NO_REPLY', 'no reply from n to acceptOrder (ref gen-1) within 5 ms: its outcome is unknown')));
    expect(r).toMatchObject({ code: EXIT.UNKNOWN, stdout: '' });
    expect(r.stderr).toBe('p2p-exchange: no reply from n to acceptOrder (ref gen-1) within 5 ms: its outcome is unknown; check trades / myOrders on n (ref gen-1)\n');
    expect(r.seen.closed).toBe(true);
  });

  it.each(['NO_DAEMON', 'UNKNOWN_PROCESS', 'NOT_RUNNING', 'UNKNOWN_ACTION', 'PM2_ERROR'] as const)('exits 4 on %s', async (code) => {
    const r = await run(['n', 'status'], () => Promise.reject(new ClientError(code, `why ${code}`)));
    expect(r).toMatchObject({ code: EXIT.UNDELIVERED, stdout: '', stderr: `p2p-exchange: why ${code}\n` });
  });

  it('exits 2 on bad usage with the usage text, and connects to nothing', async () => {
    const r = await run(['n', 'addOrder', 'oops'], reply({ ok: true }));
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toContain('p2p-exchange: the param is not JSON');
    expect(r.stderr).toContain('usage: p2p-exchange');
    expect(r.seen.home).toBeUndefined();
  });

  it('prints the usage for --help and exits 0', async () => {
    const r = await run(['--help'], reply({ ok: true }));
    expect(r).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect(r.stdout).toContain('exit codes: 0 ok; 1 the node refused');
  });
});
