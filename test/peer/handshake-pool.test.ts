import { HandshakePool, handshakeAddressKey, MAX_HANDSHAKES, MAX_HANDSHAKES_PER_ADDRESS } from '../../src/peer/handshake-pool';
import { perHostGroup } from '../../src/peer/netgroup';

describe('HandshakePool', () => {
  test('per-address limit; a release frees the share', () => {
    const pool = new HandshakePool();
    const tokens: number[] = [];
    for (let i = 0; i < MAX_HANDSHAKES_PER_ADDRESS; i++) {
      const a = pool.admit('8.8.4.4', 1000 + i, 0);
      expect(a.ok).toBe(true);
      if (a.ok) tokens.push(a.token);
    }
    expect(pool.admit('8.8.4.4', 2000, 0)).toEqual({ ok: false, reason: 'PER_ADDRESS' });
    expect(pool.admit('8.8.4.5', 2000, 0).ok).toBe(true);
    pool.release(tokens[0]);
    pool.release(tokens[0]); // idempotent
    expect(pool.admit('8.8.4.4', 2001, 0).ok).toBe(true);
    expect(pool.size).toBe(3);
  });

  test('the hello-and-wait attack from one /16 never keeps a peer from another group out', () => {
    const pool = new HandshakePool();
    // The attacker fills the pool from many IPs of one /16, reopening as fast as it likes.
    for (let i = 0; i < 200; i++) pool.admit(`66.1.${i >> 8}.${i & 255}`, 5000, i);
    expect(pool.size).toBe(MAX_HANDSHAKES);
    const honest = pool.admit('20.1.2.3', 4000, 300);
    expect(honest.ok).toBe(true);
    // The next attacker socket evicts one of its own group, never the honest one.
    const tokenOf = honest.ok ? honest.token : -1;
    for (let i = 0; i < 100; i++) {
      const a = pool.admit(`66.1.9.${i}`, 5000, 400 + i);
      expect(a.ok && a.evict).not.toBe(tokenOf);
    }
  });

  test('when full, the oldest of the most crowded group makes room', () => {
    const pool = new HandshakePool({ max: 4, netgroup: perHostGroup });
    const t = (a: ReturnType<HandshakePool['admit']>) => (a.ok ? a.token : -1);
    const a1 = t(pool.admit('1.0.0.1', 1, 10));
    const b1 = t(pool.admit('1.0.0.2', 1, 5));
    const b2 = t(pool.admit('1.0.0.2', 2, 20));
    t(pool.admit('1.0.0.3', 1, 1));
    const next = pool.admit('1.0.0.4', 1, 30);
    expect(next).toEqual({ ok: true, token: expect.any(Number), evict: b1 });
    expect(pool.size).toBe(4);
    expect([a1, b2]).not.toContain(next.ok && next.evict);
  });

  test('address keys: IPv4 by IP, IPv6 by /64, loopback by IP and port', () => {
    expect(handshakeAddressKey('8.8.4.4', 1)).toBe(handshakeAddressKey('8.8.4.4', 2));
    expect(handshakeAddressKey('2a01:4f8:1:2::5', 1)).toBe(handshakeAddressKey('2a01:4f8:1:2:ffff::9', 2));
    expect(handshakeAddressKey('2a01:4f8:1:2::5', 1)).toBe('2a01:04f8:0001:0002/64');
    expect(handshakeAddressKey('2a01:4f8:1:3::5', 1)).not.toBe(handshakeAddressKey('2a01:4f8:1:2::5', 1));
    expect(handshakeAddressKey('2a01::1', 1)).toBe('2a01:0000:0000:0000/64');
    expect(handshakeAddressKey('127.0.0.1', 1)).not.toBe(handshakeAddressKey('127.0.0.1', 2));
    // So a local test network is limited only by the pool total.
    const pool = new HandshakePool();
    for (let p = 0; p < MAX_HANDSHAKES; p++) expect(pool.admit('127.0.0.1', 40000 + p, 0)).toMatchObject({ ok: true, evict: null });
  });

  test('refuses a bad configuration', () => {
    expect(() => new HandshakePool({ max: 0 })).toThrow(RangeError);
    expect(() => new HandshakePool({ perAddress: 1.5 })).toThrow(RangeError);
  });
});
