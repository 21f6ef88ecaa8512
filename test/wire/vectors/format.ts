/**
 * The file format of vectors/*.json (described for other implementations in
 * vectors/README.md), shared by the cases that write the files and the runner that
 * checks our reading against them.
 */

/** A decoded value as JSON: bin is {"$bin": "<hex>"}, everything else as itself. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface FrameVector {
  name: string;
  /** Why the outcome is what it is; for invalid vectors, the rule broken. */
  why: string;
  /** The bytes of the stream: one or more frames, or part of one. */
  hex: string;
  /** Messages read, in order (before the error, if any). */
  messages: Json[];
  /** The stream ends inside a frame: no error, the reader waits for more. */
  incomplete?: true;
  /** The error code the reader stops with. */
  error?: string;
}

export interface EventVector {
  name: string;
  why: string;
  /** The bytes of a signed event body (§6.1); the signature is not part of the test. */
  hex: string;
  /** The envelope read: {id, origin, ts, kind, data}. */
  event?: Json;
  error?: string;
}

export interface VectorFile<V> {
  about: string;
  vectors: V[];
}

export const bin = (hex: string): Json => ({ $bin: hex });

/** Decoded value → Json (Uint8Array → {$bin}). */
export function toJson(v: unknown): Json {
  if (v instanceof Uint8Array) return bin(Buffer.from(v).toString('hex'));
  if (Array.isArray(v)) return v.map(toJson);
  if (v !== null && typeof v === 'object') {
    const out: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === '__proto__') Object.defineProperty(out, k, { value: toJson(x), enumerable: true, writable: true, configurable: true });
      else out[k] = toJson(x);
    }
    return out;
  }
  return v as Json;
}

/** One vector per line, so a diff shows which vector changed. */
export function render<V>(file: VectorFile<V>): string {
  return `{\n  "about": ${JSON.stringify(file.about)},\n  "vectors": [\n${file.vectors.map((v) => `    ${JSON.stringify(v)}`).join(',\n')}\n  ]\n}\n`;
}
