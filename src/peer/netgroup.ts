/**
 * Network groups: addresses one operator can easily hold many of share a group, so the
 * address manager, inbound eviction and the handshake pool can spread over groups
 * instead of over addresses (Bitcoin Core's GetGroup). Pure.
 *
 * Defaults: IPv4 by /16, IPv6 by /32 (what one ISP or hosting provider hands out);
 * IPv4-mapped IPv6 as its IPv4; 6to4 and Teredo by the IPv4 they embed, so tunnelled
 * addresses cannot dodge their /16; loopback one group, and each private or link-local
 * range one group. Anything that is not an IP literal is its own group.
 *
 * The function is injected (NetGroupFn) so tests that run many nodes on loopback can
 * give them different groups (e.g. perHostGroup with nodes on 127.0.0.2, 127.0.0.3...).
 */
import { isIP } from 'node:net';

export type NetGroupFn = (host: string) => string;

export const defaultNetGroup: NetGroupFn = (host) => {
  const v = isIP(host);
  if (v === 4) return groupV4(parseV4(host));
  if (v === 6) {
    const w = parseV6(host);
    if (w === null) return `name:${host}`;
    return groupV6(w);
  }
  return `name:${host}`;
};

/** Each host its own group: for tests on loopback, where every node is 127.x.y.z. */
export const perHostGroup: NetGroupFn = (host) => `host:${host}`;

/**
 * A 32-bit keyed hash of a group, for inbound eviction's "protect peers from distinct
 * groups" rule: keyed with a node secret, so an attacker cannot pick groups that rank high.
 */
export function groupKey(group: string, secret: number): number {
  let h = (0x811c9dc5 ^ secret) >>> 0;
  for (let i = 0; i < group.length; i++) h = Math.imul(h ^ group.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h ^ secret, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function groupV4(b: number[]): string {
  const [a, c] = b;
  if (a === 127) return 'local:loopback';
  if (a === 10) return 'local:10/8';
  if (a === 172 && c >= 16 && c <= 31) return 'local:172.16/12';
  if (a === 192 && c === 168) return 'local:192.168/16';
  if (a === 169 && c === 254) return 'local:169.254/16';
  if (a === 100 && c >= 64 && c <= 127) return 'local:100.64/10';
  if (a === 0) return 'local:0/8';
  return `ipv4:${a}.${c}`;
}

function groupV6(w: number[]): string {
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated): the IPv4 inside.
  if (w.slice(0, 5).every((x) => x === 0) && (w[5] === 0xffff || (w[5] === 0 && (w[6] !== 0 || w[7] > 1)))) return groupV4(v4From(w[6], w[7]));
  if (w.every((x, i) => x === (i === 7 ? 1 : 0))) return 'local:loopback';
  if (w[0] === 0x2002) return groupV4(v4From(w[1], w[2])); // 6to4: 2002:aabb:ccdd::
  if (w[0] === 0x2001 && w[1] === 0) return groupV4(v4From(w[6] ^ 0xffff, w[7] ^ 0xffff)); // Teredo: client IPv4 inverted in the last 32 bits
  if ((w[0] & 0xfe00) === 0xfc00) return 'local:fc00::/7';
  if ((w[0] & 0xffc0) === 0xfe80) return 'local:fe80::/10';
  return `ipv6:${w[0].toString(16)}:${w[1].toString(16)}`;
}

function v4From(hi: number, lo: number): number[] {
  return [hi >>> 8, hi & 0xff, lo >>> 8, lo & 0xff];
}

function parseV4(host: string): number[] {
  return host.split('.').map(Number);
}

/** Eight 16-bit words of an IPv6 literal (isIP already said it is one), or null. */
function parseV6(host: string): number[] | null {
  let text = host;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // A trailing dotted quad ("::ffff:1.2.3.4") is two words written in decimal.
    const b = parseV4(last);
    text = `${text.slice(0, lastColon + 1)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const halves = text.split('::');
  const words = (s: string) => (s === '' ? [] : s.split(':').map((x) => parseInt(x, 16)));
  const head = words(halves[0]);
  const rest = halves.length > 1 ? words(halves[1]) : [];
  const known = head.length + rest.length;
  if (halves.length === 1 && known !== 8) return null;
  if (known > 8) return null;
  const out = [...head, ...new Array<number>(8 - known).fill(0), ...rest];
  return out.length === 8 && out.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffff) ? out : null;
}
