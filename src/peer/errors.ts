/** Why `connect()` failed. `code` is a wire ErrorCode when a handshake refusal caused it. */
export class ConnectError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

/** Local (never sent) codes of ConnectError, beside the wire codes. */
export const ConnectCode = {
  /** The TCP connection could not be made (refused, unreachable, timed out). */
  CONNECT_FAILED: 'CONNECT_FAILED',
  /** The node is closing or closed. */
  CLOSED: 'CLOSED',
} as const;
