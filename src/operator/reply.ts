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
}

export type OkReply = { ok: true } & Record<string, unknown>;
export type FailReply = { ok: false; error: ReplyError };
export type Reply = OkReply | FailReply;

/** Codes raised by the operator layer itself (stable: scripts may match on them). */
export const OperatorCode = {
  /** The param is not valid JSON (or not `host:port` for `connect`). */
  BAD_PARAM_JSON: 'BAD_PARAM_JSON',
  /** Valid JSON of the wrong shape: missing/unknown key, wrong type, conflicting side. */
  BAD_PARAM: 'BAD_PARAM',
  /** The exchange did not answer within the action timeout; the request may still complete. */
  TIMEOUT: 'TIMEOUT',
  /** The daemon is stopping: the request was not (or not completely) carried out. */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
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
