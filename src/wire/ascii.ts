/**
 * Building short ASCII strings from bytes, for the strict reader (strict-decode.ts).
 */

/** Map keys and short values: one fromCharCode call, no native slice (as msgpackr does). */
export function shortAscii(b: Buffer, i: number, length: number): string {
  switch (length) {
    case 0:
      return '';
    case 1:
      return String.fromCharCode(b[i]);
    case 2:
      return String.fromCharCode(b[i], b[i + 1]);
    case 3:
      return String.fromCharCode(b[i], b[i + 1], b[i + 2]);
    case 4:
      return String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3]);
    case 5:
      return String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4]);
    case 6:
      return String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5]);
    default: {
      let s = '';
      for (let k = i; k < i + length; k++) s += String.fromCharCode(b[k]);
      return s;
    }
  }
}

/**
 * Keys repeat in every frame ("t", "body", "sig", ...). A string built from bytes is a
 * new string that V8 must look up in its string table on every property access; reusing
 * the same string object for the same key bytes (as msgpackr does) avoids most of
 * that (measured with bench/wire-decode.ts). The cache only returns a string equal to
 * the bytes, so it never changes what is read; its fixed size bounds its memory.
 */
export const MAX_CACHED_KEY = 16;
const KEY_CACHE_SLOTS = 4096; // a power of two
const keyCache: Array<string | undefined> = new Array(KEY_CACHE_SLOTS);

/** The ASCII key at src[start, start + length), from the cache when it is there; null if not ASCII. */
export function cachedKey(src: Buffer, start: number, length: number): string | null {
  let h = length;
  for (let i = start; i < start + length; i++) {
    const c = src[i];
    if (c >= 0x80) return null;
    h = (Math.imul(h, 31) + c) | 0;
  }
  const slot = h & (KEY_CACHE_SLOTS - 1);
  const hit = keyCache[slot];
  if (hit !== undefined && hit.length === length) {
    let same = true;
    for (let k = 0; k < length; k++) {
      if (hit.charCodeAt(k) !== src[start + k]) {
        same = false;
        break;
      }
    }
    if (same) return hit;
  }
  const key = shortAscii(src, start, length);
  keyCache[slot] = key;
  return key;
}
