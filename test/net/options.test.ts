import { ConfigError, DEFAULTS, resolveOptions } from '../../src/net/options';
import { defaultNetGroup, perHostGroup } from '../../src/peer/netgroup';

describe('resolveOptions: the peer-layer limits', () => {
  test('defaults: defaultNetGroup and the named constants', () => {
    const cfg = resolveOptions({});
    expect(cfg.netGroup).toBe(defaultNetGroup);
    expect(cfg).toMatchObject({ maxHandshakes: DEFAULTS.maxHandshakes, unverifiedDialRate: DEFAULTS.unverifiedDialRate, feelerIntervalMs: DEFAULTS.feelerIntervalMs });
    expect(resolveOptions({ netGroup: perHostGroup }).netGroup).toBe(perHostGroup);
  });

  test.each([
    [{ maxHandshakes: 0 }, /maxHandshakes/],
    [{ maxHandshakesPerAddress: 1.5 }, /maxHandshakesPerAddress/],
    [{ feelerIntervalMs: -1 }, /feelerIntervalMs/],
    [{ unverifiedDialRate: { tokens: 0, perMs: 1000, burst: 1 } }, /unverifiedDialRate\.tokens/],
    [{ peersMessageRate: { tokens: 1, perMs: 1000, burst: 0 } }, /peersMessageRate\.burst/],
    [{ addrLearnRate: null as never }, /addrLearnRate/],
    [{ peerScore: { dropBelow: 5 } }, /peerScore/],
    [{ netGroup: 'x' as never }, /netGroup/],
  ])('%j is refused with BAD_CONFIG', (opts, message) => {
    expect(() => resolveOptions(opts)).toThrow(ConfigError);
    expect(() => resolveOptions(opts)).toThrow(message);
  });
});
