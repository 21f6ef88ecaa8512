import { defaultNetGroup as g, groupKey, perHostGroup } from '../../src/peer/netgroup';

describe('defaultNetGroup', () => {
  test('IPv4 by /16', () => {
    expect(g('8.8.4.4')).toBe('ipv4:8.8');
    expect(g('8.8.200.1')).toBe(g('8.8.4.4'));
    expect(g('8.9.4.4')).not.toBe(g('8.8.4.4'));
  });

  test('IPv6 by /32, however it is written', () => {
    expect(g('2a01:4f8:1:2::5')).toBe('ipv6:2a01:4f8');
    expect(g('2a01:04f8:ffff:0:0:0:0:1')).toBe('ipv6:2a01:4f8');
    expect(g('2a01:4f9::1')).not.toBe(g('2a01:4f8::1'));
  });

  test('IPv4 inside IPv6 counts as its IPv4: mapped, 6to4, Teredo', () => {
    expect(g('::ffff:8.8.4.4')).toBe('ipv4:8.8');
    expect(g('::ffff:0808:0404')).toBe('ipv4:8.8');
    expect(g('2002:0808:0404::1')).toBe('ipv4:8.8');
    // Teredo keeps the client's IPv4 bit-inverted in the last 32 bits: ~8.8.4.4 = f7f7:fbfb.
    expect(g('2001:0:4136:e378:8000:63bf:f7f7:fbfb')).toBe('ipv4:8.8');
  });

  test('loopback is one group, each private range one group', () => {
    expect(g('127.0.0.1')).toBe('local:loopback');
    expect(g('127.9.9.9')).toBe('local:loopback');
    expect(g('::1')).toBe('local:loopback');
    expect(g('::ffff:127.0.0.1')).toBe('local:loopback');
    expect(g('10.1.2.3')).toBe(g('10.200.0.1'));
    expect(g('172.16.0.1')).toBe(g('172.31.255.1'));
    expect(g('172.32.0.1')).toBe('ipv4:172.32');
    expect(g('192.168.1.1')).toBe('local:192.168/16');
    expect(g('fd00::1')).toBe(g('fc12:3456::1'));
    expect(g('fe80::1%eth0')).toBe('local:fe80::/10');
    expect(new Set([g('10.0.0.1'), g('172.16.0.1'), g('192.168.0.1'), g('127.0.0.1'), g('fd00::1')]).size).toBe(5);
  });

  test('anything else is its own group', () => {
    expect(g('example.org')).toBe('name:example.org');
    expect(g('')).toBe('name:');
  });

  test('perHostGroup gives each loopback address its own group', () => {
    expect(perHostGroup('127.0.0.2')).not.toBe(perHostGroup('127.0.0.3'));
  });

  test('groupKey depends on the secret', () => {
    expect(groupKey('ipv4:8.8', 1)).toBe(groupKey('ipv4:8.8', 1));
    expect(groupKey('ipv4:8.8', 1)).not.toBe(groupKey('ipv4:8.8', 2));
    expect(groupKey('ipv4:8.8', 1)).not.toBe(groupKey('ipv4:8.9', 1));
  });
});
