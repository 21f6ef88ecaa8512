/**
 * Turning what pm2 delivers into checked values. pm2 hands an action the raw CLI
 * string (`'{"id":"x"}'`, `"42"`), `{}` when no param was given, and whatever a
 * programmatic caller sent (an object) otherwise; every shape is checked here so the
 * handlers only see what they expect.
 */
import { parseAmount, parsePrice, UnitError } from '../book/units';
import { OperatorCode, ParamError } from './reply';

/** Longest id we pass to the exchange: UUIDs are 36 chars; anything far longer is junk. */
const MAX_ID_LENGTH = 128;
/** A CLI param longer than this is refused before JSON.parse sees it. */
export const MAX_PARAM_LENGTH = 64 * 1024;

export type ParamObject = Record<string, unknown>;

/** True when no param was given: undefined/null, pm2's `{}`, or a blank string. */
export function isAbsent(raw: unknown): boolean {
  if (raw === undefined || raw === null) return true;
  if (typeof raw === 'string') return raw.trim() === '';
  return isPlainObject(raw) && Object.keys(raw).length === 0;
}

/** The param as a JSON value: strings are parsed, anything else is taken as sent. */
export function parseJson(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  if (raw.length > MAX_PARAM_LENGTH) {
    throw new ParamError(OperatorCode.BAD_PARAM, `param is longer than ${MAX_PARAM_LENGTH} characters`);
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new ParamError(
      OperatorCode.BAD_PARAM_JSON,
      `param is not JSON: ${preview(raw)} (quote it in the shell: '{"id":"..."}')`,
    );
  }
}

/** The param as a JSON object whose keys are all in `allowed`. */
export function parseObject(raw: unknown, action: string, allowed: readonly string[]): ParamObject {
  if (isAbsent(raw)) {
    throw new ParamError(OperatorCode.BAD_PARAM, `${action} needs a JSON object param with ${allowed.join(', ')}`);
  }
  const value = parseJson(raw);
  if (!isPlainObject(value)) {
    throw new ParamError(OperatorCode.BAD_PARAM, `${action} needs a JSON object, got ${describe(value)}`);
  }
  // Unknown keys are refused rather than ignored: with money, a typo such as
  // "ammount" or an option we do not support must not be silently dropped.
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new ParamError(
        OperatorCode.BAD_PARAM,
        `${action}: unknown key "${key}" (allowed: ${allowed.join(', ')})`,
        key,
      );
    }
  }
  return value;
}

/** Actions that read state take no param; one given by mistake is reported, not ignored. */
export function expectNoParam(raw: unknown, action: string): void {
  if (!isAbsent(raw)) {
    const shown = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw));
    throw new ParamError(OperatorCode.BAD_PARAM, `${action} takes no param but {"ref":"..."}, got ${preview(shown)}`);
  }
}

export function requireId(obj: ParamObject, key = 'id'): string {
  const value = obj[key];
  if (value === undefined) throw new ParamError(OperatorCode.BAD_PARAM, `missing "${key}"`, key);
  if (typeof value !== 'string') {
    throw new ParamError(OperatorCode.BAD_PARAM, `"${key}" must be a string, got ${describe(value)}`, key);
  }
  const id = value.trim();
  if (id === '' || id.length > MAX_ID_LENGTH) {
    throw new ParamError(OperatorCode.BAD_PARAM, `"${key}" must be 1-${MAX_ID_LENGTH} characters`, key);
  }
  return id;
}

/** Decimal BTC (number or string) → sats; UnitError codes kept, `field` set to our key. */
export function requireAmount(obj: ParamObject, key = 'amount'): number {
  return withField(key, () => parseAmount(present(obj, key)));
}

/** Decimal USD per BTC (number or string) → cents. */
export function requirePrice(obj: ParamObject, key = 'price'): number {
  return withField(key, () => parsePrice(present(obj, key)));
}

function present(obj: ParamObject, key: string): unknown {
  const value = obj[key];
  if (value === undefined || value === null) {
    throw new ParamError(OperatorCode.BAD_PARAM, `missing "${key}"`, key);
  }
  // Booleans, arrays and objects are a shape error, not a number format error.
  if (typeof value !== 'number' && typeof value !== 'string') {
    throw new ParamError(OperatorCode.BAD_PARAM, `"${key}" must be a number or a decimal string, got ${describe(value)}`, key);
  }
  return value;
}

function withField<T>(key: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof UnitError) throw new ParamError(err.code, `${key}: ${err.message}`, key);
    throw err;
  }
}

export function isPlainObject(value: unknown): value is ParamObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${preview(JSON.stringify(value))}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** Echo user input back, but never a whole megabyte of it. */
export function preview(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
