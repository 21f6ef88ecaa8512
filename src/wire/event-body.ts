import { ErrorCode, ProtocolError } from './errors';
import { ID_BYTES } from './messages';
import { anyMap, bin, bool, exact, SchemaError, str, uint } from './schema';
import { decodeStrict } from './strict-decode';

/**
 * The envelope of a signed event body (docs/PROTOCOL.md §6.1): what every node checks
 * before the app looks at `data`. Like a frame, a body is read strictly (strict-decode),
 * so every node refuses exactly the same bodies and never relays one it would refuse.
 */

export const MAX_KIND_BYTES = 64;
/** Lowercase canonical UUIDv7: version nibble 7, variant 10xx. */
export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** A UUIDv7 holds 48 bits of milliseconds, so a body's `ts` (equal to it) cannot exceed this. */
export const MAX_EVENT_TS = 2 ** 48 - 1;

export interface EventBody {
  id: string;
  origin: Uint8Array;
  ts: number;
  kind: string;
  /** The app's payload: any map of the profile, checked by its kind's declaration. */
  data: Record<string, unknown>;
}

const ENVELOPE = {
  id: str({ minBytes: 36, maxBytes: 36, pattern: UUID_V7, want: 'a lowercase UUIDv7' }),
  origin: bin(ID_BYTES),
  ts: uint(0, MAX_EVENT_TS),
  kind: str({ minBytes: 1, maxBytes: MAX_KIND_BYTES }),
};

export const EVENT_BODY = exact({ ...ENVELOPE, data: anyMap() });

/**
 * The most bytes a body takes besides its `data` value, every part at its widest legal
 * encoding: a kind whose data takes at most N bytes has a body of at most N + this.
 * (Computed with a 1-byte stand-in for data, then that byte taken off.)
 */
export const MAX_ENVELOPE_BYTES = exact({ ...ENVELOPE, data: bool() }).maxBytes - bool().maxBytes;

/** The millisecond timestamp in a UUIDv7's first 48 bits. */
export function uuidV7Time(id: string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/**
 * Reads a body strictly; throws ProtocolError BAD_EVENT naming what is wrong. Bytes
 * fields of the result are views into `bytes`.
 */
export function parseEventBody(bytes: Uint8Array): EventBody {
  try {
    const body = EVENT_BODY.parse(decodeStrict(bytes), 'event');
    if (uuidV7Time(body.id) !== body.ts) throw new SchemaError('event.ts', 'must equal the time in its UUIDv7 id');
    return body;
  } catch (err) {
    if (err instanceof SchemaError) throw new ProtocolError(ErrorCode.BAD_EVENT, err.message);
    if (err instanceof ProtocolError) throw new ProtocolError(ErrorCode.BAD_EVENT, `event body: ${err.message}`);
    throw err;
  }
}
