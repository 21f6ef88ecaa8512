import { BadMessageError, UnknownTypeError } from './errors';
import { isPlainObject } from './msgpack';

/** Protocol version carried in `hello.v`. A peer with another version is refused. */
export const PROTOCOL_VERSION = 1;

export const ID_BYTES = 32; // Ed25519 public key
export const NONCE_BYTES = 32;
export const SIG_BYTES = 64; // Ed25519 signature
export const MAX_AGENT_BYTES = 64;
export const MAX_CODE_BYTES = 64;
export const MAX_REASON_BYTES = 256;
/** Bounds what one `peers` message can make us remember or dial. */
export const MAX_PEERS_PER_MESSAGE = 32;
/** Longest textual IP address (IPv6 with an IPv4 tail is 45). */
export const MAX_HOST_BYTES = 64;

/** Both sides send it first. */
export interface HelloMsg {
  t: 'hello';
  /** Protocol version. */
  v: number;
  /** Sender's node id: its raw Ed25519 public key. */
  id: Uint8Array;
  /** Port the sender accepts connections on; 0 = does not listen. */
  port: number;
  /** Fresh random bytes the other side must sign. */
  nonce: Uint8Array;
  /** Free-form software name and version, for logs only. */
  agent: string;
  /** Sender's clock, ms since the Unix epoch. */
  ts: number;
}
/** Proof of key ownership: signature over the other side's nonce (see handshake.ts). */
export interface AuthMsg { t: 'auth'; sig: Uint8Array }
/** Sent just before closing on a fault; `code` is one of ErrorCode. */
export interface ErrorMsg { t: 'error'; code: string; message: string }
export interface PingMsg { t: 'ping'; n: number }
export interface PongMsg { t: 'pong'; n: number }
export interface PeerAddress { id: Uint8Array; host: string; port: number }
export interface PeersMsg { t: 'peers'; peers: PeerAddress[] }
/** A signed event: `sig` covers exactly `body`; `hops` is unsigned and grows per relay. */
export interface EventMsg { t: 'event'; body: Uint8Array; sig: Uint8Array; hops: number }
export interface SignedBody { body: Uint8Array; sig: Uint8Array }
/** One batch of book sync; the last batch has `done: true`. */
export interface SyncMsg { t: 'sync'; events: SignedBody[]; done: boolean }

export type Message = HelloMsg | AuthMsg | ErrorMsg | PingMsg | PongMsg | PeersMsg | EventMsg | SyncMsg;
export type MessageType = Message['t'];

type Fields = Record<string, unknown>;

function fail(t: string, field: string, want: string): never {
  throw new BadMessageError(`${t}.${field} must be ${want}`);
}
function uint(m: Fields, t: string, f: string, max = Number.MAX_SAFE_INTEGER): number {
  const v = m[f];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) fail(t, f, `an integer 0..${max}`);
  return v;
}
function bin(m: Fields, t: string, f: string, len?: number): Uint8Array {
  const v = m[f];
  if (!(v instanceof Uint8Array) || (len !== undefined && v.length !== len)) fail(t, f, len === undefined ? 'bin' : `bin of ${len} bytes`);
  return v;
}
function str(m: Fields, t: string, f: string, maxBytes: number): string {
  const v = m[f];
  if (typeof v !== 'string' || Buffer.byteLength(v) > maxBytes) fail(t, f, `a string of at most ${maxBytes} bytes`);
  return v;
}
function arr(m: Fields, t: string, f: string, max = Infinity): unknown[] {
  const v = m[f];
  if (!Array.isArray(v) || v.length > max) fail(t, f, `an array of at most ${max} items`);
  return v;
}
function map(v: unknown, t: string, f: string): Fields {
  if (!isPlainObject(v)) fail(t, f, 'a map');
  return v;
}

function signedBody(v: unknown, t: string, f: string): SignedBody {
  const m = map(v, t, f);
  return { body: bin(m, `${t}.${f}`, 'body'), sig: bin(m, `${t}.${f}`, 'sig', SIG_BYTES) };
}

/**
 * One schema function per message type: it checks the decoded map and returns a
 * typed message holding only the known fields. Unknown extra fields are ignored, so a
 * later version may add optional fields without a version bump.
 */
const schemas: { [K in MessageType]: (m: Fields) => Extract<Message, { t: K }> } = {
  hello: (m) => ({
    t: 'hello',
    v: uint(m, 'hello', 'v', 0xffff),
    id: bin(m, 'hello', 'id', ID_BYTES),
    port: uint(m, 'hello', 'port', 0xffff),
    nonce: bin(m, 'hello', 'nonce', NONCE_BYTES),
    agent: str(m, 'hello', 'agent', MAX_AGENT_BYTES),
    ts: uint(m, 'hello', 'ts'),
  }),
  auth: (m) => ({ t: 'auth', sig: bin(m, 'auth', 'sig', SIG_BYTES) }),
  error: (m) => ({
    t: 'error',
    code: str(m, 'error', 'code', MAX_CODE_BYTES),
    // The reason is optional on the wire: a minimal peer may send only the code.
    message: m.message === undefined ? '' : str(m, 'error', 'message', MAX_REASON_BYTES),
  }),
  ping: (m) => ({ t: 'ping', n: uint(m, 'ping', 'n') }),
  pong: (m) => ({ t: 'pong', n: uint(m, 'pong', 'n') }),
  peers: (m) => ({
    t: 'peers',
    peers: arr(m, 'peers', 'peers', MAX_PEERS_PER_MESSAGE).map((p) => {
      const e = map(p, 'peers', 'peers[]');
      return {
        id: bin(e, 'peers[]', 'id', ID_BYTES),
        host: str(e, 'peers[]', 'host', MAX_HOST_BYTES),
        port: uint(e, 'peers[]', 'port', 0xffff),
      };
    }),
  }),
  event: (m) => ({
    t: 'event',
    body: bin(m, 'event', 'body'),
    sig: bin(m, 'event', 'sig', SIG_BYTES),
    hops: uint(m, 'event', 'hops'),
  }),
  sync: (m) => {
    if (typeof m.done !== 'boolean') fail('sync', 'done', 'a boolean');
    return { t: 'sync', events: arr(m, 'sync', 'events').map((e) => signedBody(e, 'sync', 'events[]')), done: m.done };
  },
};

/** Checks a decoded value against the schema its `t` names. */
export function parseMessage(value: unknown): Message {
  if (!isPlainObject(value)) throw new BadMessageError('a frame must hold a map');
  const t = value.t;
  if (typeof t !== 'string') throw new BadMessageError('the map has no string field `t`');
  if (!Object.prototype.hasOwnProperty.call(schemas, t)) throw new UnknownTypeError(t);
  return schemas[t as MessageType](value);
}
