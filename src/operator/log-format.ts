/**
 * The Logger the daemon runs with: one line per event on stdout, which pm2 writes to
 * `$PM2_HOME/logs/<name>-out.log`. Text lines are for people watching `pm2 logs`:
 *
 *   2026-11-21T13:00:00.000Z node1 peer.connected peer=ab12cd34 addr=127.0.0.1:3002 dir=outbound
 *
 * node ids (64 hex) are cut to their first 8 characters and integer sats fields
 * (`amount`, `booked`, `filled`, ...) and `price` are shown as BTC/USD decimals. UUIDs are kept whole: the first 8 hex of a
 * UUIDv7 are its timestamp, so they cannot tell two orders apart, and the operator
 * needs the full id to accept or cancel. `LOG_FORMAT=json` gives one JSON object per
 * line with every field exactly as the exchange reported it.
 *
 * Logging must never take the daemon down, so a field that cannot be rendered is
 * rendered as a placeholder instead of throwing.
 */
import { realClock } from '../clock/real-clock';
import type { LogFields, Logger } from '../log/logger';
import { formatBtc, formatUsd } from '../book/units';
import type { LogFormat } from './config';

export interface LogFormatOptions {
  name: string;
  format: LogFormat;
  /** Defaults to process.stdout. One call per line, newline included. */
  write?: (line: string) => void;
  now?: () => number;
}

/** Fields holding satoshis / cents by the API's convention (src/exchange/api.ts). */
const SATS_FIELDS = new Set(['amount', 'booked', 'filled', 'remaining', 'requested', 'rested']);
const CENTS_FIELDS = new Set(['price']);
/** An Ed25519 public key in hex, or any long hex digest: abbreviated in text mode. */
const LONG_HEX = /^[0-9a-f]{32,}$/i;
const SHORT_ID_LENGTH = 8;
/** Strings that can be shown bare in `k=v` without becoming ambiguous. */
const BARE = /^[^\s"=]+$/;
const RESERVED = new Set(['time', 'level', 'node', 'event']);

type Level = 'info' | 'warn';

export function createLogger(opts: LogFormatOptions): Logger {
  const write = opts.write ?? ((line: string) => void process.stdout.write(line));
  const now = opts.now ?? (() => realClock.now());
  const format = opts.format === 'json' ? jsonLine : textLine;
  const emit = (level: Level, event: string, fields: LogFields | undefined): void => {
    let line: string;
    try {
      line = format(new Date(now()).toISOString(), opts.name, level, event, fields ?? {});
    } catch (err) {
      line = `${new Date(now()).toISOString()} ${opts.name} WARN log.unrenderable event=${JSON.stringify(String(event))}`;
    }
    try {
      write(line + '\n');
    } catch {
      // stdout gone (EPIPE while pm2 restarts its log pipe): dropping a line beats crashing.
    }
  };
  return {
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
  };
}

export function textLine(time: string, name: string, level: Level, event: string, fields: LogFields): string {
  const parts = [time, name];
  if (level === 'warn') parts.push('WARN');
  parts.push(bareOrQuoted(String(event)));
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    parts.push(`${bareOrQuoted(key)}=${textValue(key, value)}`);
  }
  return parts.join(' ');
}

export function jsonLine(time: string, name: string, level: Level, event: string, fields: LogFields): string {
  const obj: Record<string, unknown> = { time, level, node: name, event };
  for (const [key, value] of Object.entries(fields)) {
    // A field must not overwrite the line's own time/level/node/event.
    obj[RESERVED.has(key) ? `field_${key}` : key] = value;
  }
  return safeStringify(obj);
}

function textValue(key: string, value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && SATS_FIELDS.has(key)) return formatBtc(value);
    if (Number.isSafeInteger(value) && CENTS_FIELDS.has(key)) return formatUsd(value);
    return String(value);
  }
  if (typeof value === 'string') return bareOrQuoted(LONG_HEX.test(value) ? value.slice(0, SHORT_ID_LENGTH) : value);
  if (typeof value === 'boolean' || typeof value === 'bigint' || value === null) return String(value);
  if (value instanceof Error) return JSON.stringify(value.message);
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.toISOString() : 'invalid-date';
  if (Array.isArray(value) && value.length === 0) return '[]';
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return bareOrQuoted(value.map((v) => textValue(key, v)).join(','));
  }
  return safeStringify(value);
}

function bareOrQuoted(s: string): string {
  return BARE.test(s) ? s : JSON.stringify(s);
}

/** JSON.stringify that survives bigint, Error and cycles (all of which make it throw or lie). */
export function safeStringify(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Error) return { name: v.name, message: v.message, ...(hasCode(v) ? { code: v.code } : {}) };
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[Circular]';
      seen.add(v);
    }
    return v;
  });
}

function hasCode(err: Error): err is Error & { code: unknown } {
  return 'code' in err;
}
