/**
 * The fuzzer's own parts: that it writes what it means to write (trees, widths,
 * framing), that one seed gives one run, that its forged events are valid until it
 * mutates them, and that its guards (process hooks, loopback-only dialling) hold.
 */
import { SeededRandom } from '../../src/clock/seeded-random';
import { Identity } from '../../src/identity/identity';
import { makeAuth, makeHello } from '../../src/peer/handshake';
import type { Transport } from '../../src/transport/transport';
import { encodeFrame } from '../../src/wire/frame';
import { decodeStrict } from '../../src/wire/strict-decode';
import { encodeAst, parseAst } from '../../fuzz/ast';
import { bytesAwaited, FrameSplitter, framed, splitAt } from '../../fuzz/bytes';
import { Campaign } from '../../fuzz/campaign';
import { generateCase, type GenContext } from '../../fuzz/cases';
import { parseArgs, UsageError } from '../../fuzz/cli';
import { captureCorpus, type Corpus } from '../../fuzz/corpus';
import { forge, keyring, newMemory } from '../../fuzz/forge';
import { CrashGuard } from '../../fuzz/guard';
import { AttackLink } from '../../fuzz/link';
import { MUTATORS } from '../../fuzz/mutate';
import { MemoryTarget } from '../../fuzz/memory-target';
import { loopbackOnly } from '../../fuzz/target';
import * as adv from '../support/adversary-msgpack';

const LIMIT = 1024 * 1024;
let corpus: Corpus;

beforeAll(async () => {
  corpus = await captureCorpus();
});

describe('trees', () => {
  test('every captured frame is written back byte for byte', () => {
    expect(corpus.frames.length).toBeGreaterThan(20);
    for (const f of corpus.frames) {
      const bytes = encodeAst(f.tree);
      expect(encodeAst(parseAst(bytes))).toEqual(bytes);
      expect(() => decodeStrict(bytes)).not.toThrow();
    }
  });

  test('widths and lies are kept: int 64 for 1, a str announcing more than it holds', () => {
    const bytes = adv.encode(adv.map([['n', adv.int(1, 'u64')], ['s', adv.str('ab', { width: 16, length: 5 })]]));
    const tree = parseAst(Buffer.concat([bytes, Buffer.from('xyz')]).subarray(0, bytes.length + 3));
    expect(tree).toMatchObject({ k: 'map', entries: [[{ k: 'str' }, { k: 'int', v: 1n, w: 'u64' }], [{ k: 'str' }, { k: 'str', w: 16 }]] });
    expect(encodeAst(parseAst(adv.encode(adv.int(1, 'u64'))))).toEqual(Buffer.from('cf0000000000000001', 'hex'));
  });

  test('an integer width swap keeps the value the strict reader reads', () => {
    const rng = new SeededRandom('widths');
    for (let i = 0; i < 200; i++) {
      const root = { node: parseAst(adv.encode(adv.int(BigInt(rng.int(2 ** 31)) - 2n ** 30n))) };
      const before = decodeStrict(encodeAst(root.node));
      const slot = { get: () => root.node, set: (n: typeof root.node) => (root.node = n), path: '', depth: 0, isKey: false };
      if (MUTATORS.intWidth(slot, rng)) expect(decodeStrict(encodeAst(root.node))).toBe(before);
    }
  });
});

describe('framing', () => {
  const ping = encodeFrame({ t: 'ping', n: 1 });

  test('bytesAwaited: what a reader still waits for before it can decide', () => {
    expect(bytesAwaited(ping, LIMIT)).toBe(0);
    expect(bytesAwaited(ping.subarray(0, 7), LIMIT)).toBe(ping.length - 7);
    // A cut prefix: zeros complete it to length 0x0b000000 > limit, refused at once.
    expect(bytesAwaited(Buffer.from('0b', 'hex'), LIMIT)).toBe(3);
    // 00 00 00 + filler 00 = length 0: refused (FRAME_EMPTY), nothing more awaited.
    expect(bytesAwaited(Buffer.from('000000', 'hex'), LIMIT)).toBe(1);
    expect(bytesAwaited(Buffer.from('00000000', 'hex'), LIMIT)).toBe(0);
    expect(bytesAwaited(Buffer.from('00100001', 'hex'), LIMIT)).toBe(0);
    expect(bytesAwaited(Buffer.from('00100000', 'hex'), LIMIT)).toBe(LIMIT);
    expect(bytesAwaited(Buffer.concat([ping, ping.subarray(0, 2)]), LIMIT)).toBe(2 + 0);
  });

  test('a stream split anywhere reads as the same frames; frames over the keep bound are passed over', () => {
    const big = framed(Buffer.alloc(5000, 1));
    const stream = Buffer.concat([ping, big, ping]);
    const rng = new SeededRandom('split');
    for (let i = 0; i < 50; i++) {
      const s = new FrameSplitter(1024);
      const got = splitAt(stream, rng, 12).flatMap((c) => [...s.push(c)]);
      expect(got.map((f) => (f.payload ? f.payload.toString('hex') : `skip:${f.length}`))).toEqual([ping.subarray(4).toString('hex'), 'skip:5000', ping.subarray(4).toString('hex')]);
    }
  });
});

describe('cases', () => {
  function ctx(): GenContext {
    return {
      corpus,
      linkIdentity: Identity.fromSeed(Buffer.alloc(32, 7)),
      forge: { window: { pastMs: 300_000, aheadMs: 5000 }, keys: keyring('k'), memory: newMemory(), targetOrders: [] },
      now: Date.UTC(2026, 0, 1),
      maxFrameBytes: LIMIT,
    };
  }

  test('one seed, one case: the same bytes twice', () => {
    const a = ctx();
    const b = ctx();
    const hello = makeHello(Identity.fromSeed(Buffer.alloc(32, 9)), 0, 'x', 0, Buffer.alloc(32));
    for (let i = 0; i < 150; i++) {
      const ca = generateCase('same', i, a);
      const cb = generateCase('same', i, b);
      const ba = ca.bytes(hello);
      // Buffer.equals, not toEqual: jest compares buffers element by element, slowly.
      expect(cb.bytes(hello).equals(ba)).toBe(true);
      const [sa, sb] = [ca.split(ba), cb.split(ba)];
      expect(Buffer.concat(sb).equals(ba)).toBe(true);
      expect(sb.map((x) => x.length)).toEqual(sa.map((x) => x.length));
      expect(cb.what).toEqual(ca.what);
    }
  });

  test('cases cover every phase and the mutators', () => {
    const c = ctx();
    const phases = new Set<string>();
    const done = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const k = generateCase('cover', i, c);
      phases.add(k.phase);
      k.bytes(makeHello(Identity.fromSeed(Buffer.alloc(32, 9)), 0, 'x', 0, Buffer.alloc(32)));
      for (const w of k.what) for (const name of Object.keys(MUTATORS)) if (w.includes(`${name}@`)) done.add(name);
    }
    expect([...phases].sort()).toEqual(['auth', 'open', 'pre']);
    expect([...done].sort()).toEqual(Object.keys(MUTATORS).sort());
  });
});

test('forged events of every kind, not mutated, are taken by a live node', async () => {
  const target = await MemoryTarget.start('forge-test');
  try {
    const memory = newMemory();
    const keys = keyring('forge-test');
    const link = new AttackLink(await target.connect());
    const me = Identity.fromSeed(Buffer.alloc(32, 3));
    link.send(makeHello(me, 0, 'fuzz', target.now(), Buffer.alloc(32, 1)));
    const hello = await target.drive(link.waitFor((m) => m.t === 'hello'));
    link.send(makeAuth(me, hello as never));
    await target.drive(link.waitFor((m) => m.t === 'auth'));
    const before = target.exchange.network.stats();
    const kinds = new Set<string>();
    const orders = target.exchange.myOrders().map((o) => ({ id: o.id, amount: o.amount }));
    for (const [i, tpl] of corpus.events.entries()) {
      const rng = new SeededRandom(`f:${i}`);
      const f = forge(tpl, { rng, now: target.now(), window: target.window, keys, memory, targetOrders: orders }, 0);
      if (f.done.length > 0) continue; // a ts outside the window was drawn: not a valid event
      link.send({ t: 'event', body: f.body, sig: f.sig, hops: 0 });
      kinds.add(f.kind);
    }
    link.send({ t: 'ping', n: 42 });
    expect(await target.drive(link.waitFor((m) => m.t === 'pong' || m.t === 'error'))).toEqual({ t: 'pong', n: 42 });
    const after = target.exchange.network.stats();
    expect([...kinds].sort()).toEqual(['node.heartbeat', 'order.accept', 'order.add', 'order.cancel', 'order.confirm', 'order.fill']);
    expect(after.eventsInvalid).toBe(before.eventsInvalid);
    expect(after.eventsIn - before.eventsIn).toBeGreaterThan(kinds.size);
    link.destroy();
    // The node answered the accepts of its own orders: it published confirms.
    expect(after.published).toBeGreaterThan(before.published);
  } finally {
    await target.close();
  }
});

test('one seed, one run: a memory-mode run is the same twice', async () => {
  const run = () => new Campaign({ seed: 'replay', cases: 150, mode: 'memory', batch: 100 }).run();
  const a = await run();
  const b = await run();
  expect(b.outcomes).toEqual(a.outcomes);
  expect(b.node).toEqual(a.node);
  expect(b.casesRun).toBe(150);
});

describe('guards', () => {
  test('a process.exit under the guard is counted, not obeyed, and restored after', () => {
    const exit = process.exit;
    const guard = new CrashGuard().install();
    expect(() => process.exit(3)).toThrow('process.exit called under the fuzz guard');
    guard.uninstall();
    expect(guard.count).toBe(1);
    expect(guard.crashes[0]).toMatchObject({ kind: 'exit', message: 'process.exit(3) called' });
    expect(process.exit).toBe(exit);
  });

  test('the fuzzed node dials loopback only, whatever a peers list says', async () => {
    const dialled: string[] = [];
    const inner: Transport = {
      listen: () => Promise.reject(new Error('unused')),
      connect: (host) => {
        dialled.push(host);
        return Promise.reject(new Error('refused'));
      },
    };
    const t = loopbackOnly(inner);
    for (const host of ['10.0.0.1', '192.168.1.1', '8.8.8.8', '::ffff:1.2.3.4', 'localhost']) {
      await expect(t.connect(host, 1, { timeoutMs: 1 })).rejects.toThrow(/refusing to dial/);
    }
    await expect(t.connect('127.0.0.1', 1, { timeoutMs: 1 })).rejects.toThrow('refused');
    expect(dialled).toEqual(['127.0.0.1']);
  });
});

describe('cli arguments', () => {
  test('defaults, flags, and a clear error for a bad one', () => {
    expect(parseArgs([], () => 'r4nd')).toMatchObject({ seed: 'r4nd', cases: 10_000, mode: 'memory', json: false });
    expect(parseArgs(['--seed', 'S', '--cases', '5', '--tcp', '--only', '3', '--batch', '2', '--stop', '--json'])).toMatchObject({
      seed: 'S',
      cases: 5,
      mode: 'tcp',
      only: 3,
      batch: 2,
      stopOnFinding: true,
      json: true,
    });
    expect(() => parseArgs(['--cases', '0'])).toThrow(UsageError);
    expect(() => parseArgs(['--cases', '1.5'])).toThrow(/--cases needs an integer/);
    expect(() => parseArgs(['--frobnicate'])).toThrow(/unknown argument/);
  });
});
