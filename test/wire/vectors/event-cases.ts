/**
 * The event body vectors (vectors/event-bodies.json): signed event bodies (§6.1) and
 * the envelope a reader must read from each, or BAD_EVENT. Outcomes are stated by hand.
 */
import * as A from '../../support/adversary-msgpack';
import { bin, EventVector, Json, VectorFile } from './format';

const ID = '018bcfe5-6800-7000-8000-000000000000';
const TS = 1_700_000_000_000;
const ORIGIN = 'aa'.repeat(32);

type Obj = { [k: string]: A.Input };
type JObj = { [k: string]: Json };

const body = (over: Obj = {}): Obj => ({ id: ID, origin: A.bin(ORIGIN), ts: A.int(TS, 'i64'), kind: 'test.note', data: { n: 1 }, ...over });
const read = (over: JObj = {}): JObj => ({ id: ID, origin: bin(ORIGIN), ts: TS, kind: 'test.note', data: { n: 1 }, ...over });
function without(o: Obj, key: string): Obj {
  const c = { ...o };
  delete c[key];
  return c;
}

const vectors: EventVector[] = [];
const enc = (v: A.Input | Buffer) => (Buffer.isBuffer(v) ? v : A.encode(v)).toString('hex');
const ok = (name: string, why: string, v: A.Input | Buffer, event: Json) => vectors.push({ name, why, hex: enc(v), event });
const bad = (name: string, why: string, v: A.Input | Buffer) => vectors.push({ name, why, hex: enc(v), error: 'BAD_EVENT' });

ok('body/example', 'the example of §6.1', body(), read());
ok('body/key-order-free', 'keys in any order', A.map([['data', { n: 1 }], ['kind', 'test.note'], ['ts', TS], ['origin', A.bin(ORIGIN)], ['id', ID]]), read());
ok('body/ts-u64', 'ts at another integer width', body({ ts: A.int(TS, 'u64') }), read());
ok('body/id-variant-b', 'variant nibble 8, 9, a or b', body({ id: '018bcfe5-6800-7abc-bfff-0123456789ab' }), read({ id: '018bcfe5-6800-7abc-bfff-0123456789ab' }));
ok('body/ts-0', 'ts 0 with the UUIDv7 of time 0', body({ id: '00000000-0000-7000-8000-000000000000', ts: 0 }), read({ id: '00000000-0000-7000-8000-000000000000', ts: 0 }));
ok('body/data-empty', 'data may be an empty map', body({ data: {} }), read({ data: {} }));
ok('body/data-any-values', "data's values are the kind's business: any value of the profile passes the envelope", body({ data: { s: 'x', b: A.bin('0102'), a: [1, -2, true], m: { k: null } } }), read({ data: { s: 'x', b: bin('0102'), a: [1, -2, true], m: { k: null } } }));
ok('body/kind-64-bytes', 'kind at its bound', body({ kind: 'k'.repeat(64) }), read({ kind: 'k'.repeat(64) }));
ok('body/data-depth-16', 'depth 16: body map 1, data 2, then 14 nested arrays', body({ data: { x: A.nest(14, 0) } }), read({ data: { x: nestJ(14) } }));

bad('body/data-depth-17', 'depth 17: one level too deep', body({ data: { x: A.nest(15, 0) } }));
bad('body/not-a-map', 'a body is a map', [ID, ORIGIN]);
bad('body/nil', 'a body is a map', null);
for (const k of ['id', 'origin', 'ts', 'kind', 'data']) bad(`body/missing-${k}`, 'every key is required', without(body(), k));
bad('body/unknown-key', 'exact shape: a key nobody reads is padding', body({ pad: 'x'.repeat(100) }));
bad('body/duplicate-key', 'a key twice', A.map([['id', ID], ['origin', A.bin(ORIGIN)], ['ts', TS], ['kind', 'test.note'], ['data', {}], ['data', { n: 1 }]]));
bad('body/id-uppercase', 'lowercase canonical form only', body({ id: ID.toUpperCase() }));
bad('body/id-v4', 'version nibble must be 7', body({ id: '018bcfe5-6800-4000-8000-000000000000' }));
bad('body/id-variant-c', 'variant nibble must be 8..b', body({ id: '018bcfe5-6800-7000-c000-000000000000' }));
bad('body/id-35-chars', '36 characters', body({ id: ID.slice(0, 35) }));
bad('body/id-braces', 'no braces or urn: prefix', body({ id: `{${ID}}` }));
bad('body/id-bin', 'id is a str', body({ id: A.bin('018bcfe568007000800000000000000000') }));
bad('body/ts-not-id-time', 'ts must equal the 48-bit time in id', body({ ts: TS + 1 }));
bad('body/ts-float', 'no floats', body({ ts: A.float(TS) }));
bad('body/ts-negative', 'ts is a uint', body({ ts: -1 }));
bad('body/ts-2^48', 'beyond what a UUIDv7 holds', body({ ts: 2 ** 48 }));
bad('body/origin-31-bytes', 'origin is bin of 32 bytes', body({ origin: A.bin('aa'.repeat(31)) }));
bad('body/origin-33-bytes', 'origin is bin of 32 bytes', body({ origin: A.bin('aa'.repeat(33)) }));
bad('body/origin-str', 'origin is bin', body({ origin: ORIGIN }));
bad('body/kind-empty', 'kind is 1..64 bytes', body({ kind: '' }));
bad('body/kind-65-bytes', 'kind is 1..64 bytes', body({ kind: 'k'.repeat(65) }));
bad('body/kind-int', 'kind is a str', body({ kind: 1 }));
bad('body/kind-invalid-utf8', 'str is valid UTF-8', body({ kind: A.str(Buffer.from('6bff', 'hex')) }));
bad('body/data-array', 'data is a map', body({ data: [1] }));
bad('body/data-nil', 'data is a map', body({ data: null }));
bad('body/data-float', 'no floats anywhere, data included', body({ data: { price: A.float(5_000_000) } }));
bad('body/data-ext', 'no ext types', body({ data: { at: A.ext(-1, Buffer.from('6553f100', 'hex')) } }));
bad('body/data-int-2^53', 'no integer beyond 2^53 - 1', body({ data: { amount: A.int(2n ** 53n, 'u64') } }));
bad('body/data-duplicate-key', 'no duplicate key, data included', body({ data: A.map([['n', 1], ['n', 1]]) }));
bad('body/data-int-key', 'str keys only, data included', body({ data: A.map([[1, 1]]) }));
bad('body/trailing-bytes', 'exactly one value', Buffer.concat([A.encode(body()), Buffer.from('c0', 'hex')]));
bad('body/truncated', 'cut in its last value', A.encode(body()).subarray(0, 60));
bad('body/empty', 'zero bytes are no value', Buffer.alloc(0));

function nestJ(levels: number): Json {
  let v: Json = 0;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

export const EVENT_VECTORS: VectorFile<EventVector> = {
  about:
    'p2p-exchange protocol v1 conformance vectors: signed event bodies (hex) and the envelope a reader must read, or BAD_EVENT. See vectors/README.md and docs/PROTOCOL.md §6.1.',
  vectors,
};
