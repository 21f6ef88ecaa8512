/**
 * The one logging seam of the daemon. Every layer takes a `Logger` and reports what
 * happened as an event name plus plain fields; the operator layer decides how that
 * looks (readable text or one JSON object per line). Tests pass `silentLogger`.
 *
 * Event names are stable and dotted: `peer.connected`, `peer.disconnected`,
 * `peer.refused`, `order.added`, `order.cancelled`, `accept.sent`, `accept.answered`,
 * `trade`, `sync.done`, ...
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
}

export const silentLogger: Logger = {
  info() {},
  warn() {},
};
