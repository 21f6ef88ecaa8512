/**
 * Found by the fuzzer (issue 9): an owner update whose embedded add, or a confirm whose
 * embedded accept, is validly signed but of a bad shape must be refused like any bad
 * event (dropped, counted, the link kept), not close the link with INTERNAL_ERROR.
 * Replays: npm run fuzz -- --seed t2 --only 1128 (accept), --seed t2 --only 2260 (add).
 */
import { signEvent } from '../../src/gossip/event';
import { Identity } from '../../src/identity/identity';
import { makeAuth, makeHello } from '../../src/peer/handshake';
import { AttackLink } from '../../fuzz/link';
import { MemoryTarget } from '../../fuzz/memory-target';
import type { LogFields } from '../../src/log/logger';

test.each([
  ['a confirm whose embedded accept asks for 0 sats', 'BAD_EMBEDDED_ACCEPT'],
  ['a cancel whose embedded add has side "up"', 'BAD_EMBEDDED_ADD'],
])('%s is refused (%s), the link stays open', async (what, code) => {
  const target = await MemoryTarget.start(`embedded:${code}`);
  const invalid: string[] = [];
  const warn = target.log.warn.bind(target.log);
  target.log.warn = (e: string, f: LogFields = {}) => {
    if (e === 'peer.invalid') invalid.push(String(f.code));
    warn(e, f);
  };
  try {
    const owner = Identity.fromSeed(Buffer.alloc(32, 1));
    const taker = Identity.fromSeed(Buffer.alloc(32, 2));
    const now = target.now();
    let r = 0;
    const sign = (id: Identity, kind: string, data: Record<string, unknown>) => signEvent(id, kind, data, now, Buffer.alloc(16, ++r));
    const add = sign(owner, 'order.add', { side: code === 'BAD_EMBEDDED_ADD' ? 'up' : 'sell', price: 5_000_000, amount: 100 });
    const acc = sign(taker, 'order.accept', { order: add.id, amount: 0, deadline: now + 5000 });
    const ev =
      code === 'BAD_EMBEDDED_ADD'
        ? sign(owner, 'order.cancel', { order: add.id, seq: 1, filled: 0, status: 'cancelled', add: add.raw.body, addSig: add.raw.sig })
        : sign(owner, 'order.confirm', { order: add.id, seq: 1, filled: 0, status: 'open', add: add.raw.body, addSig: add.raw.sig, accept: acc.id, taker: taker.nodeId, amount: 0, acceptBody: acc.raw.body, acceptSig: acc.raw.sig });
    const link = new AttackLink(await target.connect());
    const me = Identity.fromSeed(Buffer.alloc(32, 3));
    link.send(makeHello(me, 0, 'test', now, Buffer.alloc(32, 4)));
    const hello = await target.drive(link.waitFor((m) => m.t === 'hello'));
    link.send(makeAuth(me, hello as never));
    await target.drive(link.waitFor((m) => m.t === 'auth'));
    link.send({ t: 'event', body: ev.raw.body, sig: ev.raw.sig, hops: 0 });
    link.send({ t: 'ping', n: 7 });
    expect(await target.drive(link.waitFor((m) => m.t === 'pong' || m.t === 'error'))).toEqual({ t: 'pong', n: 7 });
    expect(invalid).toEqual([code]);
    expect(target.exchange.network.stats().internalErrors).toBe(0);
    link.destroy();
  } finally {
    await target.close();
  }
});
