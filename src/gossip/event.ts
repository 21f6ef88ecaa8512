import { v7 as uuidv7 } from 'uuid';
import { Identity } from '../identity/identity';
import { verifySignature } from '../identity/keys';
import { MAX_KIND_BYTES, parseEventBody } from '../wire/event-body';
import { isPlainObject, pack, toWire } from '../wire/msgpack';
import { ownBytes, ownPair } from '../wire/own-bytes';
import { verifyRemembered } from './verify-memo';

export { MAX_KIND_BYTES, uuidV7Time } from '../wire/event-body';

/** Exactly what is carried and signed: the body bytes and the origin's signature over them. */
export interface RawEvent {
  body: Uint8Array;
  sig: Uint8Array;
}

export interface GossipEvent {
  /** UUIDv7. */
  id: string;
  /** Hex node id of the signer. */
  origin: string;
  /** Origin's clock, ms; also the time the UUIDv7 encodes. */
  ts: number;
  kind: string;
  data: Record<string, unknown>;
  /** Relays so far (unsigned envelope field). */
  hops: number;
  raw: RawEvent;
  /** Set when the event reached us in a peer's book sync rather than as live gossip. */
  synced?: boolean;
}

/**
 * Builds and signs a new event; the body is encoded once here and never again.
 * `random`: 16 bytes for the id's random part (from the injected clock, so a simulated
 * run is the same twice).
 */
export function signEvent(identity: Identity, kind: string, data: Record<string, unknown>, ts: number, random: Uint8Array): GossipEvent {
  if (typeof kind !== 'string' || kind.length === 0 || Buffer.byteLength(kind) > MAX_KIND_BYTES) {
    throw new TypeError(`kind must be a non-empty string of at most ${MAX_KIND_BYTES} bytes`);
  }
  if (!isPlainObject(data)) throw new TypeError('data must be a plain object');
  const id = uuidv7({ msecs: ts, random });
  // Our own copy: pack returns a view into msgpackr's reusable buffer (src/wire/own-bytes.ts).
  const body = ownBytes(pack(toWire({ id, origin: identity.publicKey, ts, kind, data })));
  const sig = identity.sign(body);
  return { id, origin: identity.nodeId, ts, kind, data, hops: 0, raw: { body, sig } };
}

/**
 * Decodes a body WITHOUT checking its signature (so duplicates can be dropped before
 * paying for a verify). Throws BAD_EVENT on a body that is not exactly one envelope of
 * docs/PROTOCOL.md §6.1 read strictly (src/wire/event-body.ts). Bytes are copied into
 * memory of their own, so the event pins neither the network buffer it arrived in nor
 * a shared pool block (src/wire/own-bytes.ts).
 */
export function decodeEvent(body: Uint8Array, sig: Uint8Array, hops: number): GossipEvent {
  // Copied first: the decoded data's bin values are views into these bytes.
  const [bytes, sigBytes] = ownPair(body, sig);
  const { id, origin, ts, kind, data } = parseEventBody(bytes);
  return {
    id,
    origin: Buffer.from(origin.buffer, origin.byteOffset, origin.byteLength).toString('hex'),
    ts,
    kind,
    data,
    hops,
    raw: { body: bytes, sig: sigBytes },
  };
}

/** True when the event's signature covers its exact body bytes under its origin key. */
export function verifyEvent(ev: GossipEvent): boolean {
  return verifyRemembered(ev.origin, ev.raw.body, ev.raw.sig, () => verifySignature(Buffer.from(ev.origin, 'hex'), ev.raw.body, ev.raw.sig));
}

/** Decodes and verifies signed bytes (e.g. an event embedded in another); null if either fails. */
export function openSigned(body: Uint8Array, sig: Uint8Array): GossipEvent | null {
  let ev: GossipEvent;
  try {
    ev = decodeEvent(body, sig, 0);
  } catch {
    return null;
  }
  return verifyEvent(ev) ? ev : null;
}
