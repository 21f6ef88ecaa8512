import { BadMessageError, UnknownTypeError } from './errors';
import { isPlainObject } from './msgpack';
import { array, bin, bool, Declaration, declare, exact, oneOf, optional, parseDeclared, SchemaError, str, uint } from './schema';

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
export const MAX_PORT = 0xffff;
/** Largest integer every peer reads exactly (a JavaScript number, an IEEE double). */
export const MAX_UINT = Number.MAX_SAFE_INTEGER;
/**
 * Most relays an event may have gone through. A flood reaches every node within the
 * network's diameter, a handful of hops for tens or hundreds of nodes with 8 links
 * each; 64 is far beyond that, and keeps `hops + 1` something every node can encode.
 * An `event` frame above it is refused; a node never relays one beyond it.
 */
export const MAX_HOPS = 64;

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
/** Sent just before closing on a fault; `code` is one of ErrorCode. `message` reads '' when absent. */
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
/**
 * Two events signed by one origin that cannot both be true (docs/PROTOCOL.md §4.8): the
 * proof that it equivocated, passed on so every node reaches the same verdict.
 */
export interface ProofMsg { t: 'proof'; a: SignedBody; b: SignedBody }

export type Message = HelloMsg | AuthMsg | ErrorMsg | PingMsg | PongMsg | PeersMsg | EventMsg | SyncMsg | ProofMsg;
export type MessageType = Message['t'];

const counter = uint(0, MAX_UINT);
/** An event body is bounded by the frame limit only; its kind may bound it further (the app's). */
const signed = { body: bin({ max: Infinity }), sig: bin(SIG_BYTES) };

/**
 * Every message of protocol v1: its exact shape, and the most bytes its payload can
 * take at the widest legal encoding (derived from the shape; unbounded = the frame
 * limit). docs/PROTOCOL.md §4 is this table in prose. Handlers live with the peer layer.
 */
export const MESSAGES: { readonly [K in MessageType]: Declaration<Extract<Message, { t: K }>> } = {
  hello: declare(exact({
    t: oneOf('hello'),
    v: uint(0, 0xffff),
    id: bin(ID_BYTES),
    port: uint(0, MAX_PORT),
    nonce: bin(NONCE_BYTES),
    agent: str({ maxBytes: MAX_AGENT_BYTES }),
    ts: counter,
  })),
  auth: declare(exact({ t: oneOf('auth'), sig: bin(SIG_BYTES) })),
  error: declare(exact({
    t: oneOf('error'),
    code: str({ maxBytes: MAX_CODE_BYTES }),
    // Optional on the wire, so a minimal peer may send only the code.
    message: optional(str({ maxBytes: MAX_REASON_BYTES }), ''),
  })),
  ping: declare(exact({ t: oneOf('ping'), n: counter })),
  pong: declare(exact({ t: oneOf('pong'), n: counter })),
  peers: declare(exact({
    t: oneOf('peers'),
    peers: array(exact({ id: bin(ID_BYTES), host: str({ maxBytes: MAX_HOST_BYTES }), port: uint(0, MAX_PORT) }), { max: MAX_PEERS_PER_MESSAGE }),
  })),
  event: declare(exact({ t: oneOf('event'), ...signed, hops: uint(0, MAX_HOPS) })),
  sync: declare(exact({ t: oneOf('sync'), events: array(exact(signed)), done: bool() })),
  proof: declare(exact({ t: oneOf('proof'), a: exact(signed), b: exact(signed) })),
};

/**
 * Checks a decoded value against the declaration its `t` names. `encodedBytes` is the
 * payload's size, checked against the type's bound before its shape.
 */
export function parseMessage(value: unknown, encodedBytes = 0): Message {
  if (!isPlainObject(value)) throw new BadMessageError('a frame must hold a map');
  const t = value.t;
  if (typeof t !== 'string') throw new BadMessageError('the map has no str key `t`');
  if (!Object.prototype.hasOwnProperty.call(MESSAGES, t)) throw new UnknownTypeError(t);
  try {
    return parseDeclared<Message>(MESSAGES[t as MessageType], value, encodedBytes, t);
  } catch (err) {
    if (err instanceof SchemaError) throw new BadMessageError(err.message);
    throw err;
  }
}
