import { Identity } from '../identity/identity';
import { verifySignature } from '../identity/keys';
import { ErrorCode, ProtocolError } from '../wire/errors';
import { AuthMsg, HelloMsg, NONCE_BYTES, PROTOCOL_VERSION } from '../wire/messages';

/**
 * Domain separation for the handshake signature: the same key signs gossip events,
 * and a signed event body must never double as a handshake proof or vice versa
 * (an event body is a MessagePack map, so it never starts with these ASCII bytes).
 */
export const AUTH_CONTEXT = Buffer.from('p2p-exchange auth v1', 'ascii');

/** `nonce`: NONCE_BYTES fresh random bytes (from the injected clock's random source). */
export function makeHello(identity: Identity, listenPort: number, agent: string, now: number, nonce: Uint8Array): HelloMsg {
  if (nonce.length !== NONCE_BYTES) throw new TypeError(`a hello nonce is ${NONCE_BYTES} bytes`);
  return {
    t: 'hello',
    v: PROTOCOL_VERSION,
    id: identity.publicKey,
    port: listenPort,
    nonce,
    agent,
    ts: now,
  };
}

/** The exact bytes a side signs to prove its key: context ‖ verifier's nonce ‖ signer's id. */
/**
 * What an `auth` signs: the verifier's nonce, the signer's id and the verifier's id.
 * The verifier's id is there so that a proof made for one node is worth nothing to
 * another: without it, a node M could hand A the nonce B sent it (in M's own hello to
 * A), take A's proof and pass it to B as its own, and sit on B's link as A — holding
 * A's place, and getting A shunned for whatever M then sends (issue 11's threat model).
 */
export function authPayload(verifierNonce: Uint8Array, signerId: Uint8Array, verifierId: Uint8Array): Buffer {
  return Buffer.concat([AUTH_CONTEXT, verifierNonce, signerId, verifierId]);
}

export function makeAuth(identity: Identity, theirHello: HelloMsg): AuthMsg {
  return { t: 'auth', sig: identity.sign(authPayload(theirHello.nonce, identity.publicKey, theirHello.id)) };
}

export interface HelloCheck {
  selfId: Uint8Array;
  now: number;
  maxClockSkewMs: number;
}

/** Refuses a hello we must not go on with; the thrown code goes into our error frame. */
export function checkHello(hello: HelloMsg, ctx: HelloCheck): void {
  if (hello.v !== PROTOCOL_VERSION) {
    throw new ProtocolError(ErrorCode.BAD_VERSION, `protocol version ${hello.v} is not supported (need ${PROTOCOL_VERSION})`);
  }
  if (Buffer.compare(hello.id, ctx.selfId) === 0) {
    throw new ProtocolError(ErrorCode.SELF_CONNECTION, 'connected to myself');
  }
  const skew = hello.ts - ctx.now;
  if (Math.abs(skew) > ctx.maxClockSkewMs) {
    throw new ProtocolError(ErrorCode.CLOCK_SKEW, `clock differs by ${skew} ms (bound ${ctx.maxClockSkewMs} ms)`);
  }
}

/** Verifies the other side's proof over the nonce we sent it, made for us. */
export function checkAuth(auth: AuthMsg, theirHello: HelloMsg, ourHello: HelloMsg): void {
  if (!verifySignature(theirHello.id, authPayload(ourHello.nonce, theirHello.id, ourHello.id), auth.sig)) {
    throw new ProtocolError(ErrorCode.BAD_PROOF, 'handshake signature does not verify');
  }
}
