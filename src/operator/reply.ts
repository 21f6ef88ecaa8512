/**
 * The one shape every pm2 action answers with, and the error codes the operator layer
 * itself raises. Codes from the exchange (`ExchangeError.code`) and from decimal
 * parsing (`UnitError.code`) are passed through unchanged; see docs/OPERATOR.md.
 */
import { ExchangeError } from '../exchange/api';
import { UnitError } from '../book/units';

export interface ReplyError {
  code: string;
  message: string;
  /** The parameter at fault, when one is (e.g. `amount` for a UnitError). */
  field?: string;
  /** With OUTCOME_UNKNOWN: why the outcome is not known yet (OWNER_NOT_ANSWERING, TIMEOUT, SHUTTING_DOWN). */
  cause?: string;
}

/** What may still happen after an OUTCOME_UNKNOWN, and where to look (see outcome.ts). */
export type PendingReply = { check: string } & Record<string, unknown>;

export type OkReply = { ok: true } & Record<string, unknown>;
export type FailReply = { ok: false; error: ReplyError; pending?: PendingReply };
export type Reply = OkReply | FailReply;

/** A reply as sent: it names the action it answers and echoes the caller's ref, if any. */
export type SentReply = Reply & { action: string; ref?: string };

/** Codes raised by the operator layer itself (stable: scripts may match on them). */
export const OperatorCode = {
  /** The param is not valid JSON (or not `host:port` for `connect`). */
  BAD_PARAM_JSON: 'BAD_PARAM_JSON',
  /** Valid JSON of the wrong shape: missing/unknown key, wrong type, conflicting side. */
  BAD_PARAM: 'BAD_PARAM',
  /** A read-only action got no answer within the action timeout. */
  TIMEOUT: 'TIMEOUT',
  /** The daemon is stopping: the request was not carried out (or only read state). */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  /**
   * Not failed, not done: a change was started and may still complete (an owner that
   * has not answered yet, a timeout or shutdown cutting a change short). The reply's
   * `pending` says what may still happen and where to look.
   */
  OUTCOME_UNKNOWN: 'OUTCOME_UNKNOWN',
  /** Anything unexpected (a bug): the daemon keeps running. */
  INTERNAL: 'INTERNAL',
} as const;

/** A bad parameter detected by the operator layer; turned into a reply, never escapes. */
export class ParamError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ParamError';
  }
}

export function ok(fields: Record<string, unknown> = {}): OkReply {
  return { ok: true, ...fields };
}

export function fail(code: string, message: string, field?: string): FailReply {
  return { ok: false, error: field === undefined ? { code, message } : { code, message, field } };
}

/**
 * The reply as it goes out: `ok` first, then the action it answers and the caller's
 * ref, so that a reader (or a script) sees at once what it is a reply to.
 */
export function stamp(reply: Reply, action: string, ref: string | undefined): SentReply {
  const { ok: answered, ...rest } = reply;
  return (ref === undefined ? { ok: answered, action, ...rest } : { ok: answered, action, ref, ...rest }) as SentReply;
}

/**
 * Any thrown value → a failure reply. Known error classes keep their code; everything
 * else is INTERNAL, because an unknown error's text is not a contract.
 */
export function errorReply(err: unknown): FailReply {
  if (err instanceof ParamError) return fail(err.code, err.message, err.field);
  if (err instanceof UnitError) return fail(err.code, err.message, err.field);
  if (err instanceof ExchangeError) return fail(err.code, err.message);
  const message = err instanceof Error ? err.message : String(err);
  return fail(OperatorCode.INTERNAL, `internal error: ${message}`);
}
