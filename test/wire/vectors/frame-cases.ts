/**
 * The frame vectors (vectors/frames.json): bytes built with the adversary encoder from
 * readable descriptions, each with the outcome docs/PROTOCOL.md prescribes, stated here
 * by hand — never computed by our own reader.
 */
import * as A from '../../support/adversary-msgpack';
import { bin, FrameVector, Json, VectorFile } from './format';

const ID = 'aa'.repeat(32);
const NONCE = 'bb'.repeat(32);
const SIG = 'cc'.repeat(64);
const PEER = 'dd'.repeat(32);
const TS = 1_700_000_000_000;
const MAX_SAFE = 2 ** 53 - 1;

type Obj = { [k: string]: A.Input };
type JObj = { [k: string]: Json };

function without<T extends object>(o: T, key: string): T {
  const c = { ...o } as Record<string, unknown>;
  delete c[key];
  return c as T;
}

const hello = (over: Obj = {}): Obj => ({ t: 'hello', v: 1, id: A.bin(ID), port: 3001, nonce: A.bin(NONCE), agent: 'p2p-exchange/0.1', ts: A.int(TS, 'i64'), ...over });
const helloJ = (over: JObj = {}): JObj => ({ t: 'hello', v: 1, id: bin(ID), port: 3001, nonce: bin(NONCE), agent: 'p2p-exchange/0.1', ts: TS, ...over });
const entry = (over: Obj = {}): Obj => ({ id: A.bin(PEER), host: '10.0.0.7', port: 3002, ...over });
const entryJ: JObj = { id: bin(PEER), host: '10.0.0.7', port: 3002 };
const event = (over: Obj = {}): Obj => ({ t: 'event', body: A.bin('80'), sig: A.bin(SIG), hops: 0, ...over });
const eventJ = (over: JObj = {}): JObj => ({ t: 'event', body: bin('80'), sig: bin(SIG), hops: 0, ...over });
const signed = (over: Obj = {}): Obj => ({ body: A.bin('80'), sig: A.bin(SIG), ...over });
const signedJ: JObj = { body: bin('80'), sig: bin(SIG) };

const vectors: FrameVector[] = [];
const hex = (b: Buffer) => b.toString('hex');
/** A stream read completely into `messages`. */
function ok(name: string, why: string, stream: Buffer | A.Input, messages: Json[]): void {
  vectors.push({ name, why, hex: hex(Buffer.isBuffer(stream) ? stream : A.frame(stream)), messages });
}
function bad(name: string, why: string, stream: Buffer | A.Input, error: string, messages: Json[] = []): void {
  vectors.push({ name, why, hex: hex(Buffer.isBuffer(stream) ? stream : A.frame(stream)), messages, error });
}

const PING = A.frame({ t: 'ping', n: 1 });
const ping1: JObj = { t: 'ping', n: 1 };

// --- §2 framing ---------------------------------------------------------------------
ok('framing/ping', 'the example of §2', Buffer.from('0000000b82a174a470696e67a16e01', 'hex'), [ping1]);
ok('framing/two-frames', 'one read may hold several frames', Buffer.concat([PING, A.frame({ t: 'pong', n: 1 })]), [ping1, { t: 'pong', n: 1 }]);
vectors.push({ name: 'framing/incomplete-prefix', why: 'fewer than 4 bytes: wait for more', hex: '0000', messages: [], incomplete: true });
vectors.push({ name: 'framing/incomplete-payload', why: 'length 11, 5 bytes of payload so far: wait for more', hex: hex(PING.subarray(0, 9)), messages: [], incomplete: true });
bad('framing/length-0', 'length 0', Buffer.from('00000000', 'hex'), 'FRAME_EMPTY');
bad('framing/length-over-limit', 'length 1 048 577 > the 1 MiB limit; refused on the prefix alone', Buffer.from('00100001', 'hex'), 'FRAME_TOO_LARGE');
bad('framing/length-ffffffff', 'length 2^32 - 1', Buffer.from('ffffffff', 'hex'), 'FRAME_TOO_LARGE');
bad('framing/length-cuts-value', 'the payload (length 5) ends inside the map', Buffer.concat([Buffer.from('00000005', 'hex'), PING.subarray(4, 9)]), 'DECODE_FAILED');
bad('framing/length-past-value', 'the payload holds the map and one more byte', A.frame(Buffer.concat([PING.subarray(4), Buffer.from('00', 'hex')])), 'DECODE_FAILED');
bad('framing/valid-then-empty', 'the first frame is read, the second stops the stream', Buffer.concat([PING, Buffer.from('00000000', 'hex')]), 'FRAME_EMPTY', [ping1]);

// --- §3 profile: numbers ------------------------------------------------------------
const widths: A.IntWidth[] = ['fixint', 'u8', 'u16', 'u32', 'u64', 'i8', 'i16', 'i32', 'i64'];
for (const w of widths) ok(`profile/int-width-${w}`, 'any integer width whose value fits is read as that value', { t: 'ping', n: A.int(1, w) }, [ping1]);
ok('profile/int-max-safe-u64', '2^53 - 1 is the largest integer of the profile', { t: 'ping', n: A.int(MAX_SAFE, 'u64') }, [{ t: 'ping', n: MAX_SAFE }]);
ok('profile/int-max-safe-i64', '2^53 - 1 as int 64', { t: 'ping', n: A.int(MAX_SAFE, 'i64') }, [{ t: 'ping', n: MAX_SAFE }]);
bad('profile/int-2^53-u64', 'integers beyond 2^53 - 1 are refused, never rounded', { t: 'ping', n: A.int(2n ** 53n, 'u64') }, 'DECODE_FAILED');
bad('profile/int-2^53-i64', 'integers beyond 2^53 - 1 are refused, never rounded', { t: 'ping', n: A.int(2n ** 53n, 'i64') }, 'DECODE_FAILED');
bad('profile/int-u64-max', '2^64 - 1', { t: 'ping', n: A.int(2n ** 64n - 1n, 'u64') }, 'DECODE_FAILED');
bad('profile/int-i64-min', '-2^63', { t: 'ping', n: A.int(-(2n ** 63n), 'i64') }, 'DECODE_FAILED');
bad('profile/int-minus-2^53', 'integers below -(2^53 - 1) are refused', { t: 'ping', n: A.int(-(2n ** 53n), 'i64') }, 'DECODE_FAILED');
bad('profile/int-minus-max-safe', '-(2^53 - 1) is of the profile, but ping.n is a uint', { t: 'ping', n: A.int(-MAX_SAFE, 'i64') }, 'BAD_MESSAGE');
bad('profile/int-negative-fixint', '-1 is of the profile, but ping.n is a uint', { t: 'ping', n: -1 }, 'BAD_MESSAGE');
bad('profile/int-negative-i8', '-1 as int 8', { t: 'ping', n: A.int(-1, 'i8') }, 'BAD_MESSAGE');
bad('profile/float64-integral', 'v1 carries no floats: 1.0 is not the integer 1', { t: 'ping', n: A.float(1) }, 'DECODE_FAILED');
bad('profile/float32-integral', 'float 32 neither', { t: 'ping', n: A.float(1, 32) }, 'DECODE_FAILED');
bad('profile/float-unknown-key', 'the profile is checked before the shape', { t: 'ping', n: 1, x: 1.5 }, 'DECODE_FAILED');
bad('profile/float-hello-v', 'hello.v as 1.0', hello({ v: A.float(1) }), 'DECODE_FAILED');
bad('profile/float-hello-port', 'hello.port as 3001.0', hello({ port: A.float(3001) }), 'DECODE_FAILED');
bad('profile/float-hello-ts', 'hello.ts as a float 64', hello({ ts: A.float(TS) }), 'DECODE_FAILED');
bad('profile/float-pong-n', 'pong.n as 1.0', { t: 'pong', n: A.float(1) }, 'DECODE_FAILED');
bad('profile/float-peers-port', 'peers[].port as 3002.0', { t: 'peers', peers: [entry({ port: A.float(3002) })] }, 'DECODE_FAILED');
bad('profile/float-event-hops', 'event.hops as 0.0', event({ hops: A.float(0) }), 'DECODE_FAILED');

// --- §3 profile: maps, strings, other types ----------------------------------------
bad('profile/duplicate-key', 'a key twice, even with the same value', A.map([['t', 'ping'], ['n', 1], ['n', 1]]), 'DECODE_FAILED');
bad('profile/duplicate-key-other-value', 'a key twice with different values', A.map([['t', 'ping'], ['n', 1], ['n', 2]]), 'DECODE_FAILED');
bad('profile/duplicate-t', 't twice', A.map([['t', 'ping'], ['t', 'pong'], ['n', 1]]), 'DECODE_FAILED');
bad('profile/duplicate-key-nested', 'a key twice in a nested map', { t: 'peers', peers: [A.map([['id', A.bin(PEER)], ['host', '10.0.0.7'], ['port', 1], ['port', 3002]])] }, 'DECODE_FAILED');
bad('profile/key-int', 'map keys are str only', A.map([['t', 'ping'], ['n', 1], [1, 2]]), 'DECODE_FAILED');
bad('profile/key-bin', '"n" as bin is not a str key', A.map([['t', 'ping'], [A.bin('6e'), 1]]), 'DECODE_FAILED');
bad('profile/key-nil', 'nil key', A.map([['t', 'ping'], ['n', 1], [null, 1]]), 'DECODE_FAILED');
bad('profile/key-array', 'array key', A.map([['t', 'ping'], ['n', 1], [[1], 1]]), 'DECODE_FAILED');
bad('profile/fixext', 'no extension types', { t: 'ping', n: A.ext(1, Buffer.from('01', 'hex')) }, 'DECODE_FAILED');
bad('profile/ext8', 'ext 8', { t: 'ping', n: 1, x: A.ext(5, Buffer.from('010203', 'hex')) }, 'DECODE_FAILED');
bad('profile/timestamp-ext', 'the timestamp extension (-1) is an extension too', hello({ ts: A.ext(-1, Buffer.from('6553f100', 'hex')) }), 'DECODE_FAILED');
bad('profile/byte-c1', '0xc1 is never used', { t: 'ping', n: A.raw('c1') }, 'DECODE_FAILED');
bad('profile/utf8-invalid-byte', 'str must be valid UTF-8: ff never is', hello({ agent: A.str(Buffer.from('61ff', 'hex')) }), 'DECODE_FAILED');
bad('profile/utf8-overlong', 'overlong form of "/"', hello({ agent: A.str(Buffer.from('c0af', 'hex')) }), 'DECODE_FAILED');
bad('profile/utf8-surrogate', 'an encoded UTF-16 surrogate (U+D800)', hello({ agent: A.str(Buffer.from('eda080', 'hex')) }), 'DECODE_FAILED');
bad('profile/utf8-cut', 'a 3-byte sequence cut after 2', hello({ agent: A.str(Buffer.from('e282', 'hex')) }), 'DECODE_FAILED');
bad('profile/utf8-invalid-key', 'keys are str, so UTF-8 too', A.map([['t', 'ping'], ['n', 1], [A.str(Buffer.from('ff', 'hex')), 1]]), 'DECODE_FAILED');
ok('profile/utf8-multibyte', 'valid non-ASCII text', hello({ agent: 'nœud/1 ✓ 𝄞' }), [helloJ({ agent: 'nœud/1 ✓ 𝄞' })]);
ok('profile/utf8-bom-kept', 'a leading U+FEFF is part of the text, not stripped', hello({ agent: '\ufeffx' }), [helloJ({ agent: '\ufeffx' })]);
for (const w of ['fix', 8, 16, 32] as const) ok(`profile/str-width-${w}`, 'any str width', { t: A.str('ping', { width: w }), n: 1 }, [ping1]);
for (const w of [8, 16, 32] as const) ok(`profile/bin-width-${w}`, 'any bin width', { t: 'auth', sig: A.bin(SIG, { width: w }) }, [{ t: 'auth', sig: bin(SIG) }]);
for (const w of ['fix', 16, 32] as const) ok(`profile/map-width-${w}`, 'any map width', A.map({ t: 'ping', n: 1 }, { width: w }), [ping1]);
for (const w of ['fix', 16, 32] as const) ok(`profile/array-width-${w}`, 'any array width', { t: 'peers', peers: A.array([entry()], { width: w }) }, [{ t: 'peers', peers: [entryJ] }]);
bad('profile/two-values', 'exactly one value: a second map after the first is trailing bytes', A.frame(Buffer.concat([PING.subarray(4), PING.subarray(4)])), 'DECODE_FAILED');
bad('profile/truncated', 'the hello map cut in its last value', A.frame(A.encode(hello()).subarray(0, 100)), 'DECODE_FAILED');
bad('profile/array-count-lies', 'an array header announcing 2^32 - 1 items in a few bytes', { t: 'peers', peers: A.array([], { width: 32, count: 0xffffffff }) }, 'DECODE_FAILED');
bad('profile/map-count-lies', 'a map header announcing 65 535 entries', A.map({ t: 'ping', n: 1 }, { width: 16, count: 0xffff }), 'DECODE_FAILED');
bad('profile/str-length-lies', 'a str header announcing 200 bytes', { t: A.str('ping', { width: 8, length: 200 }), n: 1 }, 'DECODE_FAILED');
bad('profile/depth-16', 'depth 16 (the frame map is 1, plus 15 nested arrays) is of the profile, so the shape decides: unknown key x', { t: 'ping', n: 1, x: A.nest(15, 0) }, 'BAD_MESSAGE');
bad('profile/depth-17', 'depth 17: one level too deep', { t: 'ping', n: 1, x: A.nest(16, 0) }, 'DECODE_FAILED');
bad('profile/depth-17-maps', 'depth 17 counted over maps too', { t: 'ping', n: 1, x: A.nest(16, 0, 'map') }, 'DECODE_FAILED');

// --- §4 messages: the map and its t ------------------------------------------------
bad('message/not-a-map', 'a frame holds a map', [1, 2], 'BAD_MESSAGE');
bad('message/nil', 'nil is of the profile, but not a map', null, 'BAD_MESSAGE');
bad('message/no-t', 'no key t', { n: 1 }, 'BAD_MESSAGE');
bad('message/t-int', 't must be a str', { t: 1, n: 1 }, 'BAD_MESSAGE');
bad('message/t-bin', 't as bin', { t: A.bin('70696e67'), n: 1 }, 'BAD_MESSAGE');
bad('message/t-unknown', 'no such type in v1', { t: 'gimme' }, 'UNKNOWN_TYPE');
bad('message/t-case', 'types are case-sensitive', { t: 'PING', n: 1 }, 'UNKNOWN_TYPE');
bad('message/t-empty', 'the empty str is no type', { t: '', n: 1 }, 'UNKNOWN_TYPE');

// hello
ok('hello/valid', 'the example of §4.1', hello(), [helloJ()]);
ok('hello/valid-port-0-agent-empty', 'port 0 = does not listen; agent may be empty', hello({ port: 0, agent: '' }), [helloJ({ port: 0, agent: '' })]);
ok('hello/agent-64-bytes', 'agent at its bound', hello({ agent: 'é'.repeat(32) }), [helloJ({ agent: 'é'.repeat(32) })]);
bad('hello/agent-65-bytes', 'agent is at most 64 UTF-8 bytes (32 × é + 1)', hello({ agent: 'é'.repeat(32) + 'x' }), 'BAD_MESSAGE');
bad('hello/missing-nonce', 'every key is required', without(hello(), 'nonce'), 'BAD_MESSAGE');
bad('hello/unknown-key', 'exact shape: no other key', hello({ extra: 1 }), 'BAD_MESSAGE');
bad('hello/v-str', 'v is a uint', hello({ v: '1' }), 'BAD_MESSAGE');
bad('hello/v-65536', 'v ≤ 65535', hello({ v: 65536 }), 'BAD_MESSAGE');
bad('hello/id-31-bytes', 'id is bin of 32 bytes', hello({ id: A.bin('aa'.repeat(31)) }), 'BAD_MESSAGE');
bad('hello/id-33-bytes', 'id is bin of 32 bytes', hello({ id: A.bin('aa'.repeat(33)) }), 'BAD_MESSAGE');
bad('hello/id-str', 'bytes are bin, never str', hello({ id: 'a'.repeat(32) }), 'BAD_MESSAGE');
bad('hello/port-65536', 'port ≤ 65535', hello({ port: 65536 }), 'BAD_MESSAGE');
bad('hello/nonce-31-bytes', 'nonce is bin of 32 bytes', hello({ nonce: A.bin('bb'.repeat(31)) }), 'BAD_MESSAGE');
bad('hello/agent-bin', 'agent is a str', hello({ agent: A.bin('61') }), 'BAD_MESSAGE');
bad('hello/ts-negative', 'ts is a uint', hello({ ts: -1 }), 'BAD_MESSAGE');
bad('hello/ts-nil', 'no field of v1 may be nil', hello({ ts: null }), 'BAD_MESSAGE');

// auth
ok('auth/valid', 'sig of 64 bytes', { t: 'auth', sig: A.bin(SIG) }, [{ t: 'auth', sig: bin(SIG) }]);
bad('auth/sig-63-bytes', 'sig is bin of 64 bytes', { t: 'auth', sig: A.bin('cc'.repeat(63)) }, 'BAD_MESSAGE');
bad('auth/sig-65-bytes', 'sig is bin of 64 bytes', { t: 'auth', sig: A.bin('cc'.repeat(65)) }, 'BAD_MESSAGE');
bad('auth/sig-str', 'sig is bin', { t: 'auth', sig: 'c'.repeat(64) }, 'BAD_MESSAGE');
bad('auth/missing-sig', 'sig is required', { t: 'auth' }, 'BAD_MESSAGE');
bad('auth/unknown-key', 'exact shape', { t: 'auth', sig: A.bin(SIG), pad: A.bin('00'.repeat(100)) }, 'BAD_MESSAGE');

// error
ok('error/valid', 'code and message', { t: 'error', code: 'SHUTDOWN', message: 'bye' }, [{ t: 'error', code: 'SHUTDOWN', message: 'bye' }]);
ok('error/no-message', 'message may be absent; it then reads as ""', { t: 'error', code: 'SHUTDOWN' }, [{ t: 'error', code: 'SHUTDOWN', message: '' }]);
ok('error/message-256-bytes', 'message at its bound', { t: 'error', code: 'X', message: 'm'.repeat(256) }, [{ t: 'error', code: 'X', message: 'm'.repeat(256) }]);
bad('error/message-257-bytes', 'message is at most 256 bytes', { t: 'error', code: 'X', message: 'm'.repeat(257) }, 'BAD_MESSAGE');
bad('error/message-nil', 'optional means absent, not nil', { t: 'error', code: 'X', message: null }, 'BAD_MESSAGE');
bad('error/code-65-bytes', 'code is at most 64 bytes', { t: 'error', code: 'C'.repeat(65) }, 'BAD_MESSAGE');
bad('error/code-int', 'code is a str', { t: 'error', code: 7 }, 'BAD_MESSAGE');
bad('error/unknown-key', 'exact shape', { t: 'error', code: 'X', detail: 'y' }, 'BAD_MESSAGE');

// ping, pong
ok('ping/valid-0', 'n may be 0', { t: 'ping', n: 0 }, [{ t: 'ping', n: 0 }]);
ok('pong/valid', 'pong carries the n of its ping', { t: 'pong', n: 300 }, [{ t: 'pong', n: 300 }]);
bad('ping/missing-n', 'n is required', { t: 'ping' }, 'BAD_MESSAGE');
bad('ping/n-str', 'n is a uint', { t: 'ping', n: '1' }, 'BAD_MESSAGE');
bad('ping/n-bool', 'n is a uint', { t: 'ping', n: true }, 'BAD_MESSAGE');
bad('ping/unknown-key', 'exact shape', { t: 'ping', n: 1, x: 1 }, 'BAD_MESSAGE');
bad('pong/unknown-key', 'exact shape', { t: 'pong', n: 1, x: 1 }, 'BAD_MESSAGE');

// peers
ok('peers/empty', 'no entries', { t: 'peers', peers: [] }, [{ t: 'peers', peers: [] }]);
ok('peers/one', 'one entry', { t: 'peers', peers: [entry()] }, [{ t: 'peers', peers: [entryJ] }]);
ok('peers/32', 'at the bound of 32 entries', { t: 'peers', peers: Array(32).fill(entry()) }, [{ t: 'peers', peers: Array(32).fill(entryJ) }]);
bad('peers/33', 'at most 32 entries', { t: 'peers', peers: Array(33).fill(entry()) }, 'BAD_MESSAGE');
bad('peers/not-array', 'peers is an array', { t: 'peers', peers: {} }, 'BAD_MESSAGE');
bad('peers/entry-not-map', 'entries are maps', { t: 'peers', peers: [1] }, 'BAD_MESSAGE');
bad('peers/entry-missing-port', 'every key of an entry is required', { t: 'peers', peers: [without(entry(), 'port')] }, 'BAD_MESSAGE');
bad('peers/entry-unknown-key', 'exact shape of an entry', { t: 'peers', peers: [entry({ name: 'x' })] }, 'BAD_MESSAGE');
bad('peers/entry-id-31-bytes', 'entry id is bin of 32 bytes', { t: 'peers', peers: [entry({ id: A.bin('dd'.repeat(31)) })] }, 'BAD_MESSAGE');
bad('peers/entry-host-65-bytes', 'host is at most 64 bytes', { t: 'peers', peers: [entry({ host: 'h'.repeat(65) })] }, 'BAD_MESSAGE');
bad('peers/entry-host-int', 'host is a str', { t: 'peers', peers: [entry({ host: 167772167 })] }, 'BAD_MESSAGE');
bad('peers/entry-port-65536', 'port ≤ 65535', { t: 'peers', peers: [entry({ port: 65536 })] }, 'BAD_MESSAGE');
ok('peers/entry-unusable-address', 'shape only: a host name or port 0 is skipped later, not an error', { t: 'peers', peers: [entry({ host: 'example.com', port: 0 })] }, [{ t: 'peers', peers: [{ ...entryJ, host: 'example.com', port: 0 }] }]);

// event
ok('event/valid', 'the body is bin; its content is checked by the event layer (§6)', event(), [eventJ()]);
ok('event/hops-64', 'hops at its bound', event({ hops: 64 }), [eventJ({ hops: 64 })]);
ok('event/body-empty', 'an empty bin is a bin: BAD_EVENT comes later, from the body', event({ body: A.bin('') }), [eventJ({ body: bin('') })]);
bad('event/hops-65', 'hops ≤ 64', event({ hops: 65 }), 'BAD_MESSAGE');
bad('event/hops-max-safe', 'hops = 2^53 - 1 (a relay could not add 1)', event({ hops: A.int(MAX_SAFE, 'u64') }), 'BAD_MESSAGE');
bad('event/body-str', 'body is bin', event({ body: 'x' }), 'BAD_MESSAGE');
bad('event/sig-63-bytes', 'sig is bin of 64 bytes', event({ sig: A.bin('cc'.repeat(63)) }), 'BAD_MESSAGE');
bad('event/missing-hops', 'hops is required', without(event(), 'hops'), 'BAD_MESSAGE');
bad('event/unknown-key', 'exact shape', event({ pad: A.bin('00'.repeat(64)) }), 'BAD_MESSAGE');

// sync
ok('sync/empty-done', 'an empty book: one frame', { t: 'sync', events: [], done: true }, [{ t: 'sync', events: [], done: true }]);
ok('sync/two', 'two signed bodies', { t: 'sync', events: [signed(), signed()], done: false }, [{ t: 'sync', events: [signedJ, signedJ], done: false }]);
bad('sync/done-nil', 'done is true or false', { t: 'sync', events: [], done: null }, 'BAD_MESSAGE');
bad('sync/done-int', 'done is true or false, not 1', { t: 'sync', events: [], done: 1 }, 'BAD_MESSAGE');
bad('sync/missing-done', 'done is required', { t: 'sync', events: [] }, 'BAD_MESSAGE');
bad('sync/events-not-array', 'events is an array', { t: 'sync', events: signed(), done: true }, 'BAD_MESSAGE');
bad('sync/entry-missing-sig', 'each entry is {body, sig}', { t: 'sync', events: [without(signed(), 'sig')], done: true }, 'BAD_MESSAGE');
bad('sync/entry-unknown-key', 'exact shape of an entry', { t: 'sync', events: [signed({ hops: 0 })], done: true }, 'BAD_MESSAGE');
bad('sync/entry-sig-65-bytes', 'sig is bin of 64 bytes', { t: 'sync', events: [signed({ sig: A.bin('cc'.repeat(65)) })], done: true }, 'BAD_MESSAGE');
ok('proof/two', 'two signed bodies (whether they prove anything is the app\'s judgement)', { t: 'proof', a: signed(), b: signed() }, [{ t: 'proof', a: signedJ, b: signedJ }]);
bad('proof/missing-b', 'a and b are both required', { t: 'proof', a: signed() }, 'BAD_MESSAGE');
bad('proof/array', 'a and b are maps, not a list', { t: 'proof', a: [signed()], b: signed() }, 'BAD_MESSAGE');
bad('proof/extra-key', 'exact shape', { t: 'proof', a: signed(), b: signed(), c: signed() }, 'BAD_MESSAGE');

export const FRAME_VECTORS: VectorFile<FrameVector> = {
  about:
    'p2p-exchange protocol v1 conformance vectors: byte streams (hex) of frames and the outcome a reader must reach. See vectors/README.md and docs/PROTOCOL.md §2-4. Limit: 1 048 576-byte frames.',
  vectors,
};
