import { createPublicKey, KeyObject, verify } from 'node:crypto';

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Imported keys kept for reuse; importing costs about as much as a verify. */
const KEY_CACHE_MAX = 4096;

const cache = new Map<string, KeyObject>();

export function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

function publicKeyObject(raw: Uint8Array): KeyObject | null {
  const hex = Buffer.from(raw).toString('hex');
  let key = cache.get(hex);
  if (key) {
    // Refresh recency so busy origins stay cached (Map keeps insertion order).
    cache.delete(hex);
    cache.set(hex, key);
    return key;
  }
  if (raw.length !== 32) return null;
  try {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch {
    return null; // not a point on the curve: no signature can verify
  }
  if (cache.size >= KEY_CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(hex, key);
  return key;
}

/** Ed25519 verification of `sig` over exactly `data` by the raw public key `publicKey`. */
export function verifySignature(publicKey: Uint8Array, data: Uint8Array, sig: Uint8Array): boolean {
  if (sig.length !== 64) return false;
  const key = publicKeyObject(publicKey);
  if (!key) return false;
  try {
    return verify(null, data, key, sig);
  } catch {
    return false;
  }
}
