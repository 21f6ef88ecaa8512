import { ErrorCode, ProtocolError } from '../../src/wire/errors';
import { encodeFrame, FrameDecoder } from '../../src/wire/frame';
import { Message } from '../../src/wire/messages';
import { NotPlainError } from '../../src/wire/msgpack';
import * as A from '../support/adversary-msgpack';

const bytes = (n: number, fill: number) => Buffer.alloc(n, fill);

const sample: Message[] = [
  { t: 'ping', n: 1 },
  { t: 'hello', v: 1, id: bytes(32, 1), port: 3001, nonce: bytes(32, 2), agent: 'test/1', ts: 1_700_000_000_000 },
  { t: 'peers', peers: [{ id: bytes(32, 3), host: '127.0.0.1', port: 3002 }] },
  { t: 'event', body: Buffer.from('81a16101', 'hex'), sig: bytes(64, 4), hops: 3 },
  { t: 'sync', events: [{ body: bytes(300, 5), sig: bytes(64, 6) }], done: true },
  { t: 'error', code: 'BAD_PROOF', message: 'nope' },
];
const stream = Buffer.concat(sample.map((m) => encodeFrame(m)));

function decodeAll(chunks: Buffer[], max?: number): Message[] {
  const d = new FrameDecoder(max);
  const out: Message[] = [];
  for (const c of chunks) for (const m of d.push(c)) out.push(m);
  expect(d.pendingBytes).toBe(0);
  return out;
}

function codeOf(chunks: Buffer[], max?: number): string {
  try {
    decodeAll(chunks, max);
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return (err as ProtocolError).code;
  }
  throw new Error('no protocol error');
}

const frameOf = (payloadHex: string) => A.frame(Buffer.from(payloadHex, 'hex'));

test('encodes the documented bytes: uint32 BE length, then a plain MessagePack map', () => {
  // 82 = map of 2; a1 74 = "t"; a4 70696e67 = "ping"; a1 6e = "n"; 01 = 1
  expect(encodeFrame({ t: 'ping', n: 1 }).toString('hex')).toBe('0000000b' + '82a174a470696e67a16e01');
});

test('integers beyond 32 bits stay integers on the wire (int64), not float64', () => {
  const frame = encodeFrame({ t: 'ping', n: 5_000_000_000 });
  expect(frame.subarray(4).toString('hex')).toBe('82a174a470696e67a16e' + 'd3000000012a05f200');
  expect(decodeAll([frame])).toEqual([{ t: 'ping', n: 5_000_000_000 }]);
});

test('the encoder refuses what the profile refuses: a float, an integer beyond 2^53 - 1, a lone surrogate', () => {
  expect(() => encodeFrame({ t: 'ping', n: 1.5 })).toThrow(NotPlainError);
  expect(() => encodeFrame({ t: 'ping', n: 2 ** 53 })).toThrow(NotPlainError);
  expect(() => encodeFrame({ t: 'error', code: 'X', message: 'a\ud800' })).toThrow(NotPlainError);
});

test('a stream of frames split at every byte offset decodes identically', () => {
  // Compared re-encoded (a string compare): jest's deep equality on buffers is slow at this count.
  const want = stream.toString('hex');
  for (let k = 0; k <= stream.length; k++) {
    const got = Buffer.concat(decodeAll([stream.subarray(0, k), stream.subarray(k)]).map((m) => encodeFrame(m)));
    if (got.toString('hex') !== want) throw new Error(`split at ${k} decoded differently`);
  }
  expect(decodeAll([stream.subarray(0, 9), stream.subarray(9)])).toEqual(sample);
});

test('byte by byte, and in odd-sized chunks', () => {
  expect(decodeAll([...stream].map((b) => Buffer.from([b])))).toEqual(sample);
  const chunks: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 7) chunks.push(stream.subarray(i, i + 7));
  expect(decodeAll(chunks)).toEqual(sample);
});

test('many frames in one chunk', () => {
  const many = Buffer.concat(Array.from({ length: 50 }, () => stream));
  expect(decodeAll([many])).toHaveLength(50 * sample.length);
});

test('zero length is FRAME_EMPTY', () => {
  expect(codeOf([Buffer.from('00000000', 'hex')])).toBe(ErrorCode.FRAME_EMPTY);
});

test('over-size length is FRAME_TOO_LARGE as soon as the prefix is in, before any payload', () => {
  expect(codeOf([Buffer.from('00100001', 'hex')])).toBe(ErrorCode.FRAME_TOO_LARGE); // 1 MiB + 1
  expect(codeOf([Buffer.from('ffffffff', 'hex')])).toBe(ErrorCode.FRAME_TOO_LARGE);
  expect(codeOf([encodeFrame({ t: 'ping', n: 1 })], 10)).toBe(ErrorCode.FRAME_TOO_LARGE);
});

test('exactly the limit is accepted', () => {
  const f = encodeFrame({ t: 'ping', n: 1 });
  expect(decodeAll([f], f.length - 4)).toEqual([{ t: 'ping', n: 1 }]);
});

test('a 1 MiB sync frame, exactly at the default limit, is read', () => {
  const entry = { body: A.bin(bytes(600, 7)), sig: A.bin(bytes(64, 8)) };
  const head = A.encode({ t: 'sync', events: A.array([], { width: 32, count: 0 }), done: true }).length;
  const count = Math.floor((1024 * 1024 - head) / A.encode(entry).length);
  const payload = A.encode({ t: 'sync', events: A.array(Array(count).fill(entry), { width: 32 }), done: true });
  const pad = 1024 * 1024 - payload.length; // filled by a longer last body, so the payload is exactly 1 MiB
  const last = { body: A.bin(bytes(600 + pad, 7)), sig: A.bin(bytes(64, 8)) };
  const exact = A.encode({ t: 'sync', events: A.array([...Array(count - 1).fill(entry), last], { width: 32 }), done: true });
  expect(exact).toHaveLength(1024 * 1024);
  const [msg] = decodeAll([A.frame(exact)]);
  expect(msg.t === 'sync' && msg.events.length).toBe(count);
});

test.each([
  ['truncated map', '82a174'],
  ['trailing bytes after the value', '80' + '00'],
  ['unknown extension type', 'c7017f00'],
  ['random garbage', 'deadbeefcafe'],
  ['a float where an integer belongs', '82a174a470696e67a16e' + 'cb3ff0000000000000'],
  ['a duplicate key', '83a174a470696e67a16e01a16e01'],
])('undecodable payload (%s) is DECODE_FAILED', (_name, hex) => {
  expect(codeOf([frameOf(hex)])).toBe(ErrorCode.DECODE_FAILED);
});

test('the decoder refuses input after an error (frame boundaries are lost)', () => {
  const d = new FrameDecoder();
  expect(() => [...d.push(Buffer.from('00000000', 'hex'))]).toThrow(ProtocolError);
  expect(() => [...d.push(encodeFrame({ t: 'ping', n: 1 }))]).toThrow(ProtocolError);
});

test('wrong shape inside a frame surfaces from the decoder as BAD_MESSAGE or UNKNOWN_TYPE', () => {
  expect(codeOf([A.frame([1, 2])])).toBe(ErrorCode.BAD_MESSAGE);
  expect(codeOf([A.frame({ t: 'nope' })])).toBe(ErrorCode.UNKNOWN_TYPE);
});

test('integer fields sent as uint64 by another library decode as numbers; beyond 2^53 - 1 they are refused', () => {
  // {t:"ping", n: uint64 7}
  const d = new FrameDecoder();
  expect([...d.push(frameOf('82a174a470696e67a16e' + 'cf0000000000000007'))]).toEqual([{ t: 'ping', n: 7 }]);
  // beyond 2^53: refused, never silently rounded (not of the profile: DECODE_FAILED)
  expect(codeOf([frameOf('82a174a470696e67a16e' + 'cf0020000000000001')])).toBe(ErrorCode.DECODE_FAILED);
});

test('the issue\'s crash: an event with hops 2^53 - 1 is refused at the frame, so no relay ever has to encode hops + 1', () => {
  const attack = A.frame({ t: 'event', body: A.bin('80'), sig: A.bin(bytes(64, 1)), hops: A.int(2 ** 53 - 1, 'u64') });
  expect(codeOf([attack])).toBe(ErrorCode.BAD_MESSAGE);
  // The largest hops read, plus one, is still ours to encode.
  const [msg] = decodeAll([A.frame({ t: 'event', body: A.bin('80'), sig: A.bin(bytes(64, 1)), hops: 64 })]);
  expect(() => encodeFrame({ ...msg, hops: (msg as { hops: number }).hops + 1 })).not.toThrow();
});
