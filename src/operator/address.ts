/**
 * `host:port` parsing shared by the PEERS setting and the `connect` action, so both
 * accept and refuse exactly the same addresses.
 */
import { isIP } from 'node:net';

export interface Address {
  host: string;
  port: number;
}

/** Hostnames per RFC 1123 labels; anything else (spaces, slashes, `http://`) is a typo. */
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Returns null when valid, else why not; the caller wraps it in its own error type. */
export function checkHost(host: string): string | null {
  if (isIP(host) !== 0 || HOSTNAME.test(host)) return null;
  return `"${host}" is not an IP address or hostname`;
}

/** A listening port: 1-65535 for peers; `allowZero` for our own (0 = any free port). */
export function checkPort(port: unknown, allowZero = false): string | null {
  const min = allowZero ? 0 : 1;
  if (typeof port === 'number' && Number.isInteger(port) && port >= min && port <= 65535) return null;
  return `port must be an integer ${min}-65535, got ${JSON.stringify(port) ?? String(port)}`;
}

/** Decimal digits only: `Number("0x10")` and `Number("1e3")` would otherwise pass. */
export function parsePortText(text: string): number | undefined {
  return /^\d{1,5}$/.test(text) ? Number(text) : undefined;
}

/**
 * `127.0.0.1:3002`, `localhost:3002`, `[::1]:3002` → Address, or a reason string.
 * IPv6 must be bracketed, since its colons would make the port ambiguous.
 */
export function parseAddress(text: string): Address | string {
  const t = text.trim();
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(t) ?? /^([^:[\]]+):([^:]+)$/.exec(t);
  if (m === null) return `"${t}" is not host:port (IPv6 as [::1]:3002)`;
  const host = m[1]!;
  const bracketed = t.startsWith('[');
  if (bracketed && isIP(host) !== 6) return `"${host}" is not an IPv6 address`;
  const hostProblem = checkHost(host);
  if (hostProblem !== null) return hostProblem;
  const port = parsePortText(m[2]!);
  const portProblem = checkPort(port ?? m[2]);
  if (portProblem !== null || port === undefined) return `${t}: ${portProblem ?? 'bad port'}`;
  return { host, port };
}
