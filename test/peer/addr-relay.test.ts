import { ADDR_LEARN_RATE, AddrRelayLimit, PEERS_MESSAGE_RATE } from '../../src/peer/addr-relay';

describe('AddrRelayLimit', () => {
  test('50 peers messages of 32 addresses at once: two are read, 64 addresses learned', () => {
    const l = new AddrRelayLimit();
    const verdicts = Array.from({ length: 50 }, () => l.admit(32, 0));
    expect(verdicts.filter((v) => v.accepted)).toHaveLength(PEERS_MESSAGE_RATE.burst);
    expect(verdicts.reduce((n, v) => n + v.learn, 0)).toBe(ADDR_LEARN_RATE.burst);
    expect(verdicts[2]).toEqual({ accepted: false, learn: 0 });
  });

  test('later messages learn what the rate has refilled', () => {
    const l = new AddrRelayLimit();
    l.admit(32, 0);
    l.admit(32, 0);
    expect(l.admit(32, PEERS_MESSAGE_RATE.perMs - 1).accepted).toBe(false);
    const later = l.admit(1000, PEERS_MESSAGE_RATE.perMs);
    expect(later.accepted).toBe(true);
    expect(later.learn).toBe(PEERS_MESSAGE_RATE.perMs / ADDR_LEARN_RATE.perMs);
  });

  test('an honest link (one message on open) learns everything it sent', () => {
    expect(new AddrRelayLimit().admit(32, 12345)).toEqual({ accepted: true, learn: 32 });
  });
});
