import { isIP } from 'node:net';

/** Strips the IPv4-mapped prefix a dual-stack socket reports, so one peer has one address. */
export function normalizeHost(host: string): string {
  return host.startsWith('::ffff:') && isIP(host.slice(7)) === 4 ? host.slice(7) : host;
}

/**
 * Addresses we accept from `peers` messages: literal IPs only (resolving names a peer
 * hands us would let it aim our DNS lookups anywhere), a real port, not "any".
 */
export function isDialable(host: string, port: number): boolean {
  if (!Number.isInteger(port) || port < 1 || port > 65535) return false;
  if (isIP(host) === 0) return false;
  return host !== '0.0.0.0' && host !== '::';
}

export function isLoopback(host: string): boolean {
  return host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

export function addrString(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
