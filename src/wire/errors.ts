/**
 * Stable error codes of the wire protocol. Each is sent as the `code` of an `error`
 * frame and carried by the error objects thrown inside the node, so a test or a log
 * reader never has to parse a message to learn what went wrong. docs/PROTOCOL.md
 * ("Error codes") lists what a node does on each one.
 */
export const ErrorCode = {
  /** A frame's length prefix was 0: every frame carries a map, so it can never be empty. */
  FRAME_EMPTY: 'FRAME_EMPTY',
  /** A frame's length prefix exceeded the receiver's limit (default 1 MiB). */
  FRAME_TOO_LARGE: 'FRAME_TOO_LARGE',
  /**
   * The payload was not exactly one value of the MessagePack profile (PROTOCOL.md §3):
   * truncated, trailing bytes, a float, an ext type, a non-str or duplicate map key,
   * invalid UTF-8, an integer beyond ±(2^53 − 1), or nesting beyond 16.
   */
  DECODE_FAILED: 'DECODE_FAILED',
  /**
   * The value is of the profile but not the exact shape its `t` requires: not a map, no
   * str `t`, a missing or unknown key, a wrong type (nil included), out of bounds.
   */
  BAD_MESSAGE: 'BAD_MESSAGE',
  /** `t` names no message type of this protocol version. */
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  /** A valid message arrived in a state that does not allow it (e.g. `event` before the handshake). */
  UNEXPECTED_MESSAGE: 'UNEXPECTED_MESSAGE',
  /** The peer speaks another protocol version. */
  BAD_VERSION: 'BAD_VERSION',
  /** The peer's `auth` signature does not verify against the id it announced. */
  BAD_PROOF: 'BAD_PROOF',
  /** The peer's clock differs from ours by more than the bound (default 30 s). */
  CLOCK_SKEW: 'CLOCK_SKEW',
  /** The connection leads back to this very node. */
  SELF_CONNECTION: 'SELF_CONNECTION',
  /** Another connection to the same node already exists and wins the tie-break. */
  DUPLICATE_CONNECTION: 'DUPLICATE_CONNECTION',
  /** The handshake did not complete in time (default 5 s). */
  HANDSHAKE_TIMEOUT: 'HANDSHAKE_TIMEOUT',
  /** The receiver already has its maximum of inbound connections. */
  TOO_MANY_PEERS: 'TOO_MANY_PEERS',
  /** The peer (its node id or address) is temporarily refused after misbehaving. */
  SHUNNED: 'SHUNNED',
  /** An event's signature does not verify against its origin: a forgery. */
  BAD_SIGNATURE: 'BAD_SIGNATURE',
  /** A signed event body is not of the profile, or not exactly the envelope of §6.1 (id not a UUIDv7 of its ts, ...). */
  BAD_EVENT: 'BAD_EVENT',
  /** A book sync longer than SYNC_MAX_EVENTS entries (src/gossip/book-sync.ts). */
  SYNC_TOO_LARGE: 'SYNC_TOO_LARGE',
  /** A `proof` whose two events do not prove a conflict (PROTOCOL.md §4.8): a false accusation. */
  BAD_EVIDENCE: 'BAD_EVIDENCE',
  /** Nothing was received for the idle bound, pings included. */
  IDLE_TIMEOUT: 'IDLE_TIMEOUT',
  /** The peer did not read: our unsent bytes for it passed the bound. Never sent on the wire. */
  SLOW_READER: 'SLOW_READER',
  /** The sender is shutting down; not a fault. */
  SHUTDOWN: 'SHUTDOWN',
  /**
   * Handling the peer's frame failed in a way we did not foresee (our bug): the link is
   * closed, the process is not. Not misbehaviour — the peer may be honest.
   */
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  /** The stream ended without an error frame. Never sent on the wire. */
  CONNECTION_CLOSED: 'CONNECTION_CLOSED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Any violation of the wire protocol by the remote side. */
export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class EmptyFrameError extends ProtocolError {
  constructor() {
    super(ErrorCode.FRAME_EMPTY, 'frame length is 0');
  }
}

export class FrameTooLargeError extends ProtocolError {
  constructor(
    readonly length: number,
    readonly limit: number,
  ) {
    super(ErrorCode.FRAME_TOO_LARGE, `frame length ${length} exceeds the limit of ${limit} bytes`);
  }
}

export class DecodeError extends ProtocolError {
  constructor(detail: string) {
    super(ErrorCode.DECODE_FAILED, `not one value of the MessagePack profile: ${detail}`);
  }
}

export class BadMessageError extends ProtocolError {
  constructor(detail: string) {
    super(ErrorCode.BAD_MESSAGE, detail);
  }
}

export class UnknownTypeError extends ProtocolError {
  constructor(readonly type: string) {
    super(ErrorCode.UNKNOWN_TYPE, `unknown message type ${JSON.stringify(type.slice(0, 32))}`);
  }
}

/**
 * Codes that mean the peer broke the protocol (or forged): its address and id are
 * shunned. The others are ordinary refusals (version, clock, capacity, duplicates,
 * timeouts) after which a reconnect is fine.
 */
const MISBEHAVIOUR = new Set<string>([
  ErrorCode.FRAME_EMPTY,
  ErrorCode.FRAME_TOO_LARGE,
  ErrorCode.DECODE_FAILED,
  ErrorCode.BAD_MESSAGE,
  ErrorCode.UNKNOWN_TYPE,
  ErrorCode.UNEXPECTED_MESSAGE,
  ErrorCode.BAD_PROOF,
  ErrorCode.BAD_SIGNATURE,
  ErrorCode.BAD_EVENT,
  ErrorCode.BAD_EVIDENCE,
  ErrorCode.SYNC_TOO_LARGE,
]);

export function isMisbehaviour(code: string): boolean {
  return MISBEHAVIOUR.has(code);
}
