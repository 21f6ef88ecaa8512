/**
 * A small schema language for decoded values (output of `decodeStrict`): every message
 * type, the event body envelope and the app's event kinds are declared with it, so each
 * shape is written once, exactly, and every refusal names the path that failed
 * (`peers.peers[3].port must be an integer 0..65535`).
 *
 * Schemas only check; apart from `optional(x, fallback)` they return what they were
 * given, typed. Maps are exact: a missing key or an unknown key is refused, because a
 * key nobody reads is padding that every node would otherwise store and relay.
 */
import { isPlainObject } from './msgpack';

/** A value that is not of its schema's shape. `path` names where, `message` says what was wanted. */
export class SchemaError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path} ${detail}`);
    this.name = 'SchemaError';
  }
}

export interface Schema<T> {
  /** What an accepted value looks like, for error messages: "an integer 0..65535". */
  readonly want: string;
  /**
   * Most bytes an accepted value can take encoded, each part at its widest legal
   * encoding (int 64, str 32, bin 32, array 32, map 32); Infinity when unbounded.
   */
  readonly maxBytes: number;
  /** Returns `value` typed as T, or throws SchemaError at `path`. */
  parse(value: unknown, path: string): T;
}

export type Infer<S> = S extends Schema<infer T> ? T : S extends Optional<infer T, boolean> ? T : never;

/** Widest header of a str, bin, array or map (type byte + uint32 length), and widest integer. */
const WIDE_HEADER = 5;
const WIDE_INT = 9;

const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

function schema<T>(want: string, maxBytes: number, ok: (v: unknown) => boolean): Schema<T> {
  return {
    want,
    maxBytes,
    parse(value, path) {
      if (!ok(value)) throw new SchemaError(path, `must be ${want}`);
      return value as T;
    },
  };
}

/** An integer min..max; the decoder already refused floats and anything beyond ±(2^53 − 1). */
export function uint(min: number, max: number): Schema<number> {
  if (!(Number.isSafeInteger(min) && Number.isSafeInteger(max) && min >= 0 && min <= max)) throw new RangeError(`bad uint bounds ${min}..${max}`);
  return schema(`an integer ${min}..${max}`, WIDE_INT, (v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max);
}

export function bool(): Schema<boolean> {
  return schema('true or false', 1, (v) => typeof v === 'boolean');
}

/** bin of exactly `len` bytes, or of min..max bytes. */
export function bin(len: number | { min?: number; max: number }): Schema<Uint8Array> {
  const [min, max] = typeof len === 'number' ? [len, len] : [len.min ?? 0, len.max];
  const want = min === max ? `bin of ${min} bytes` : `bin of ${min}..${max} bytes`;
  return schema(want, WIDE_HEADER + max, (v) => v instanceof Uint8Array && v.length >= min && v.length <= max);
}

export interface StrSpec {
  minBytes?: number;
  maxBytes: number;
  /** Tested against the whole string; anchor it. */
  pattern?: RegExp;
  /** Replaces the generated description, e.g. "a lowercase UUIDv7". */
  want?: string;
}

/** A str of minBytes..maxBytes UTF-8 bytes, optionally matching `pattern`. */
export function str(spec: StrSpec): Schema<string> {
  const min = spec.minBytes ?? 0;
  const want = spec.want ?? `a str of ${min}..${spec.maxBytes} bytes${spec.pattern ? ` matching ${spec.pattern}` : ''}`;
  return schema(want, WIDE_HEADER + spec.maxBytes, (v) => {
    if (typeof v !== 'string' || v.length > spec.maxBytes) return false;
    // UTF-8 takes 1..3 bytes per UTF-16 unit, so the length alone often settles the bound.
    const fits = (v.length >= min && v.length * 3 <= spec.maxBytes) || inBytes(v, min, spec.maxBytes);
    return fits && (spec.pattern === undefined || spec.pattern.test(v));
  });
}

function inBytes(v: string, min: number, max: number): boolean {
  const n = Buffer.byteLength(v, 'utf8');
  return n >= min && n <= max;
}

/** One of the listed strings. */
export function oneOf<const L extends readonly string[]>(...values: L): Schema<L[number]> {
  const set = new Set<unknown>(values);
  const want = values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  return schema(want, WIDE_HEADER + Math.max(...values.map(utf8Bytes)), (v) => set.has(v));
}

/** An array of at most `max` items (the frame limit bounds it otherwise), each checked. */
export function array<T>(item: Schema<T>, spec: { max?: number } = {}): Schema<T[]> {
  const max = spec.max ?? Infinity;
  const want = `an array${max === Infinity ? '' : ` of at most ${max} items`}`;
  return {
    want,
    maxBytes: WIDE_HEADER + max * item.maxBytes,
    parse(value, path) {
      if (!Array.isArray(value) || value.length > max) throw new SchemaError(path, `must be ${want}`);
      for (let i = 0; i < value.length; i++) item.parse(value[i], `${path}[${i}]`);
      return value as T[];
    },
  };
}

/** Any map with str keys, its values unchecked: for a payload whose own schema is applied later. */
export function anyMap(): Schema<Record<string, unknown>> {
  return schema('a map', Infinity, isPlainObject);
}

/** A further condition on an already checked value. */
export function refine<T>(base: Schema<T>, test: (v: T) => boolean, want: string): Schema<T> {
  return {
    want,
    maxBytes: base.maxBytes,
    parse(value, path) {
      const v = base.parse(value, path);
      if (!test(v)) throw new SchemaError(path, `must be ${want}`);
      return v;
    },
  };
}

/** A key of an `exact` map that may be absent (never nil: nil is refused like any wrong type). */
export interface Optional<T, HasFallback extends boolean> {
  readonly optional: Schema<T>;
  readonly fallback: HasFallback extends true ? T : undefined;
}

export function optional<T>(s: Schema<T>): Optional<T, false>;
/** With a fallback, an absent key reads as `fallback`, so the parsed field is always there. */
export function optional<T>(s: Schema<T>, fallback: T): Optional<T, true>;
export function optional<T>(s: Schema<T>, fallback?: T): Optional<T, boolean> {
  return { optional: s, fallback } as Optional<T, boolean>;
}

type Field = Schema<unknown> | Optional<unknown, boolean>;
type Fields = Record<string, Field>;
type RequiredKeys<F extends Fields> = { [K in keyof F]: F[K] extends Optional<unknown, false> ? never : K }[keyof F];
type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K] extends Optional<unknown, false> ? K : never }[keyof F];
type Flat<T> = { [K in keyof T]: T[K] };
export type ExactOf<F extends Fields> = Flat<{ [K in RequiredKeys<F>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: Infer<F[K]> }>;

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * A map with exactly these keys (optional ones may be absent), nothing else. Returns a
 * new object holding the declared keys in declared order.
 */
export function exact<F extends Fields>(fields: F): Schema<ExactOf<F>> {
  const slots = Object.keys(fields).map((key) => {
    const f = fields[key];
    const opt = 'optional' in f;
    return {
      key,
      schema: opt ? f.optional : f,
      optional: opt,
      fallback: opt ? f.fallback : undefined,
      suffix: `.${key}`,
      // A key that plain objects inherit ("toString") cannot be found by reading it.
      inherited: key in Object.prototype,
    };
  });
  const want = `a map with exactly the keys ${slots.map((s) => s.key).join(', ')}`;
  let maxBytes = WIDE_HEADER;
  for (const s of slots) maxBytes += WIDE_HEADER + utf8Bytes(s.key) + s.schema.maxBytes;
  return {
    want,
    maxBytes,
    parse(value, path) {
      if (!isPlainObject(value)) throw new SchemaError(path, `must be ${want}`);
      const out: Record<string, unknown> = {};
      let present = 0;
      for (const s of slots) {
        const v = s.inherited ? (hasOwn(value, s.key) ? value[s.key] : undefined) : value[s.key];
        if (v !== undefined) {
          present++;
          out[s.key] = s.schema.parse(v, path + s.suffix);
        } else if (!s.optional) {
          throw new SchemaError(path, `is missing the key ${JSON.stringify(s.key)}`);
        } else if (s.fallback !== undefined) {
          out[s.key] = s.fallback;
        }
      }
      // Every key found was declared; any other key makes the map larger than that.
      let size = 0;
      for (const k in value) size++;
      if (size !== present) {
        for (const k in value) {
          if (!hasOwn(fields, k)) throw new SchemaError(path, `has an unknown key ${JSON.stringify(k.slice(0, 32))}`);
        }
      }
      return out as ExactOf<F>;
    },
  };
}

/** A shape with the byte bound of its encoded form: a message type, or an event kind. */
export interface Declaration<T> {
  readonly schema: Schema<T>;
  /** Most bytes its encoded form may take, at the widest legal encoding of every field. */
  readonly maxBytes: number;
}

/** `maxBytes` defaults to the schema's own bound; give a smaller one where the fields allow more than is sensible. */
export function declare<T>(schema: Schema<T>, maxBytes = schema.maxBytes): Declaration<T> {
  if (!(maxBytes > 0)) throw new RangeError(`bad byte bound ${maxBytes}`);
  return { schema, maxBytes };
}

/** Checks the byte bound, then the shape. */
export function parseDeclared<T>(decl: Declaration<T>, value: unknown, encodedBytes: number, path: string): T {
  if (encodedBytes > decl.maxBytes) throw new SchemaError(path, `must be at most ${decl.maxBytes} bytes encoded, got ${encodedBytes}`);
  return decl.schema.parse(value, path);
}
