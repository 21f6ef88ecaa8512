import { EventEmitter } from 'node:events';
import { silentLogger } from '../../src/log/logger';
import type { ExchangeOptions } from '../../src/exchange/api';
import { loadConfig } from '../../src/operator/config';
import { EXIT_CONFIG, EXIT_FAILED, EXIT_OK, main, runDaemon, type ProcessLike } from '../../src/operator/daemon';
import { FakeExchange } from './support/fake-exchange';
import { FakeIo } from './support/fake-io';
import { flushPromises, ManualTimers } from './support/manual-timers';

class FakeProcess extends EventEmitter implements ProcessLike {
  readonly sent: unknown[] = [];
  readonly exits: number[] = [];
  send = (m: unknown): boolean => this.sent.push(m) > 0;
  exit(code: number): void {
    this.exits.push(code);
  }
}

function harness() {
  const io = new FakeIo();
  const proc = new FakeProcess();
  const timers = new ManualTimers();
  const ex = new FakeExchange();
  const opened: ExchangeOptions[] = [];
  const factory = async (opts: ExchangeOptions) => {
    opened.push(opts);
    return ex;
  };
  return { io, proc, timers, ex, opened, factory, deps: { io, proc, timers, log: silentLogger } };
}

it('starts the exchange from the config, registers actions and metrics, then signals ready', async () => {
  const h = harness();
  const config = loadConfig({ NAME: 'node2', PORT: '3002', PEERS: '127.0.0.1:3001' }, []);
  const d = await runDaemon(config, h.factory, h.deps);
  expect(h.opened).toEqual([{ host: '127.0.0.1', port: 3002, dataDir: './data/node2', peers: [{ host: '127.0.0.1', port: 3001 }], log: silentLogger }]);
  expect(h.io.actions.size).toBe(9);
  expect(h.io.gauges.size).toBeGreaterThan(0);
  expect(h.proc.sent).toEqual(['ready']);
  expect(h.proc.listenerCount('SIGINT')).toBe(1);
  await d.close();
  expect(h.ex.closed).toBe(true);
  expect(h.proc.listenerCount('SIGINT')).toBe(0);
  expect(h.timers.pending).toBe(0);
});

it.each(['SIGINT', 'SIGTERM'])('on %s closes everything and exits 0', async (signal) => {
  const h = harness();
  await runDaemon(loadConfig({}, []), h.factory, h.deps);
  h.proc.emit(signal);
  await flushPromises();
  expect(h.ex.closed).toBe(true);
  expect(h.proc.exits).toEqual([EXIT_OK]);
  expect(h.timers.pending).toBe(0);
});

it('exits 1 when the exchange does not close within shutdownTimeoutMs, and at once on a second signal', async () => {
  const h = harness();
  await runDaemon(loadConfig({ SHUTDOWN_TIMEOUT_MS: '4000' }, []), h.factory, h.deps);
  h.ex.hangNext('close');
  h.proc.emit('SIGINT');
  await flushPromises();
  h.proc.emit('SIGINT');
  expect(h.proc.exits).toEqual([EXIT_FAILED]);
  h.timers.advance(4000);
  await flushPromises();
  expect(h.proc.exits).toEqual([EXIT_FAILED, EXIT_FAILED]);
});

it('an accept in flight when the node stops is answered OUTCOME_UNKNOWN, not as failed', async () => {
  const h = harness();
  await runDaemon(loadConfig({}, []), h.factory, h.deps);
  h.ex.hangNext('accept');
  const replies = h.io.trigger('acceptOrder', '{"id":"x","ref":"r1"}');
  h.proc.emit('SIGTERM');
  await flushPromises();
  expect(replies).toEqual([
    {
      ok: false,
      action: 'acceptOrder',
      ref: 'r1',
      error: expect.objectContaining({ code: 'OUTCOME_UNKNOWN', cause: 'SHUTTING_DOWN' }),
      pending: expect.objectContaining({ orderId: 'x' }),
    },
  ]);
});

describe('main', () => {
  it('prints a clear message and exits EXIT_CONFIG on bad configuration, without starting anything', async () => {
    const h = harness();
    const err: string[] = [];
    await main(h.factory, { ...h.deps, env: { PORT: 'eighty' }, argv: [], stderr: (t) => void err.push(t) });
    expect(err).toEqual(['p2p-exchange: bad configuration: PORT: "eighty" must be an integer 0-65535\n']);
    expect(h.proc.exits).toEqual([EXIT_CONFIG]);
    expect(h.opened).toEqual([]);
    expect(h.proc.sent).toEqual([]);
  });

  it('exits 1 without signalling ready when the exchange fails to start', async () => {
    const h = harness();
    const err: string[] = [];
    const failing = async () => {
      throw new Error('listen EADDRINUSE: address already in use 127.0.0.1:3001');
    };
    await main(failing, { ...h.deps, env: { NAME: 'node1' }, argv: [], stderr: (t) => void err.push(t) });
    expect(err).toEqual(['p2p-exchange: node1 failed to start: listen EADDRINUSE: address already in use 127.0.0.1:3001\n']);
    expect(h.proc.exits).toEqual([EXIT_FAILED]);
    expect(h.proc.sent).toEqual([]);
  });

  it('prints usage for --help', async () => {
    const h = harness();
    const out: string[] = [];
    await main(h.factory, { ...h.deps, env: {}, argv: ['--help'], stdout: (t) => void out.push(t) });
    expect(out.join('')).toMatch(/^usage: node dist\/main.js/);
    expect(h.proc.exits).toEqual([EXIT_OK]);
  });

  it('runs the daemon from env and argv', async () => {
    const h = harness();
    const d = await main(h.factory, { ...h.deps, env: { PORT: '3005' }, argv: ['--name', 'node5'] });
    expect(d?.config).toMatchObject({ name: 'node5', port: 3005 });
    expect(h.proc.sent).toEqual(['ready']);
    await d!.close();
  });
});
