/**
 * The caller's `ref`: a short tag any action's param may carry (`{"ref":"job-42",...}`)
 * and every reply echoes back beside the action's name. pm2 hands an `axm:reply` to
 * every listener of a process, whatever request it answers (its CLI matches on the
 * process only), so with two requests in flight on one node the ref is how a caller
 * tells its own reply from another's. The ref is taken off the param here, before the
 * action sees it, so the actions themselves know nothing of it.
 */
import { isPlainObject, MAX_PARAM_LENGTH } from './params';
import { OperatorCode, ParamError } from './reply';

/** Room for a UUID with a prefix; short enough to echo in every reply and log line. */
export const MAX_REF_LENGTH = 64;
/** Printable ASCII without spaces: shows bare in a log line and survives any shell quoting. */
const REF_CHARS = /^[\x21-\x7e]+$/;

/** Null when `value` is a usable ref, else why not (shared with the client, which checks before sending). */
export function refProblem(value: unknown): string | null {
  if (typeof value !== 'string') return `"ref" must be a string, got ${value === null ? 'null' : typeof value}`;
  if (value.length === 0 || value.length > MAX_REF_LENGTH) return `"ref" must be 1-${MAX_REF_LENGTH} characters`;
  if (!REF_CHARS.test(value)) return '"ref" must be printable ASCII without spaces';
  return null;
}

export interface SplitParam {
  /** The param without its ref: what the action parses. Unchanged when it had no ref. */
  param: unknown;
  ref: string | undefined;
}

/**
 * Takes the ref off a param: the CLI's raw string (`'{"id":"x","ref":"r1"}'`) or a
 * programmatic caller's object. A param that is not a JSON object (`127.0.0.1:3002`,
 * junk, an over-long string) is passed on as it came, for the action to accept or
 * refuse with its own message. A ref that is there but unusable refuses the whole
 * request (BAD_PARAM, field `ref`): a change whose reply cannot be matched must not run.
 */
export function splitRef(raw: unknown): SplitParam {
  const value = asObject(raw);
  if (value === undefined || !Object.prototype.hasOwnProperty.call(value, 'ref')) return { param: raw, ref: undefined };
  const { ref, ...rest } = value;
  const problem = refProblem(ref);
  if (problem !== null) throw new ParamError(OperatorCode.BAD_PARAM, problem, 'ref');
  return { param: rest, ref: ref as string };
}

function asObject(raw: unknown): Record<string, unknown> | undefined {
  if (isPlainObject(raw)) return raw;
  if (typeof raw !== 'string' || raw.length > MAX_PARAM_LENGTH || !raw.trimStart().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
