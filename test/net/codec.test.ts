import { ErrorCode, ProtocolError } from '../../src/wire/errors';
import { encodeFrame, FrameDecoder } from '../../src/wire/frame';
import { Message, parseMessage } from '../../src/wire/messages';
import { pack } from '../../src/wire/msgpack';

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

const frameOf = (payloadHex: string) => {
  const p = Buffer.from(payloadHex, 'hex');
  const h = Buffer.alloc(4);
  h.writeUInt32BE(p.length);
  return Buffer.concat([h, p]);
};

describe('frame codec', () => {
  test('encodes the documented bytes: uint32 BE length, then a plain MessagePack map', () => {
    // 82 = map of 2; a1 74 = "t"; a4 70696e67 = "ping"; a1 6e = "n"; 01 = 1
    expect(encodeFrame({ t: 'ping', n: 1 }).toString('hex')).toBe('0000000b' + '82a174a470696e67a16e01');
  });

  test('integers beyond 32 bits stay integers on the wire (int64), not float64', () => {
    const frame = encodeFrame({ t: 'ping', n: 5_000_000_000 });
    expect(frame.subarray(4).toString('hex')).toBe('82a174a470696e67a16e' + 'd3000000012a05f200');
    expect(decodeAll([frame])).toEqual([{ t: 'ping', n: 5_000_000_000 }]);
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

  test.each([
    ['truncated map', '82a174'],
    ['trailing bytes after the value', '80' + '00'],
    ['unknown extension type', 'c7017f00'],
    ['random garbage', 'deadbeefcafe'],
  ])('undecodable payload (%s) is DECODE_FAILED', (_name, hex) => {
    expect(codeOf([frameOf(hex)])).toBe(ErrorCode.DECODE_FAILED);
  });

  test('the decoder refuses input after an error (frame boundaries are lost)', () => {
    const d = new FrameDecoder();
    expect(() => [...d.push(Buffer.from('00000000', 'hex'))]).toThrow(ProtocolError);
    expect(() => [...d.push(encodeFrame({ t: 'ping', n: 1 }))]).toThrow(ProtocolError);
  });
});

describe('message shapes', () => {
  const shape = (v: unknown) => {
    try {
      parseMessage(v);
      return 'ok';
    } catch (err) {
      return (err as ProtocolError).code;
    }
  };

  test.each([
    ['an array', ErrorCode.BAD_MESSAGE, [1, 2, 3]],
    ['a string', ErrorCode.BAD_MESSAGE, 'hello'],
    ['a map without t', ErrorCode.BAD_MESSAGE, { v: 1 }],
    ['t not a string', ErrorCode.BAD_MESSAGE, { t: 1 }],
    ['an unknown t', ErrorCode.UNKNOWN_TYPE, { t: 'gimme' }],
    ['hello.v a string', ErrorCode.BAD_MESSAGE, { ...sample[1], v: 'one' }],
    ['hello.id 31 bytes', ErrorCode.BAD_MESSAGE, { ...sample[1], id: bytes(31, 1) }],
    ['hello.port 70000', ErrorCode.BAD_MESSAGE, { ...sample[1], port: 70000 }],
    ['hello.agent too long', ErrorCode.BAD_MESSAGE, { ...sample[1], agent: 'x'.repeat(65) }],
    ['hello.ts negative', ErrorCode.BAD_MESSAGE, { ...sample[1], ts: -1 }],
    ['hello.ts a Date (ext type)', ErrorCode.BAD_MESSAGE, { ...sample[1], ts: new Date() }],
    ['auth.sig missing', ErrorCode.BAD_MESSAGE, { t: 'auth' }],
    ['ping.n a float', ErrorCode.BAD_MESSAGE, { t: 'ping', n: 1.5 }],
    ['peers not an array', ErrorCode.BAD_MESSAGE, { t: 'peers', peers: {} }],
    ['peers too many', ErrorCode.BAD_MESSAGE, { t: 'peers', peers: Array(33).fill({ id: bytes(32, 1), host: '1.2.3.4', port: 1 }) }],
    ['event.sig 63 bytes', ErrorCode.BAD_MESSAGE, { ...sample[3], sig: bytes(63, 0) }],
    ['event.hops missing', ErrorCode.BAD_MESSAGE, { t: 'event', body: bytes(3, 0), sig: bytes(64, 0) }],
    ['sync.done missing', ErrorCode.BAD_MESSAGE, { t: 'sync', events: [] }],
    ['sync.events[] not a map', ErrorCode.BAD_MESSAGE, { t: 'sync', events: [1], done: false }],
    ['error.code not a string', ErrorCode.BAD_MESSAGE, { t: 'error', code: 7 }],
  ])('%s → %s', (_name, code, value) => {
    expect(shape(value)).toBe(code);
  });

  test('every sample is valid, unknown extra fields are ignored, error.message is optional', () => {
    for (const m of sample) expect(shape(m)).toBe('ok');
    expect(parseMessage({ t: 'ping', n: 2, future: 'field' })).toEqual({ t: 'ping', n: 2 });
    expect(parseMessage({ t: 'error', code: 'X' })).toEqual({ t: 'error', code: 'X', message: '' });
  });

  test('wrong shape inside a frame surfaces from the decoder as BAD_MESSAGE', () => {
    expect(codeOf([frameOf(pack([1, 2]).toString('hex'))])).toBe(ErrorCode.BAD_MESSAGE);
    expect(codeOf([frameOf(pack({ t: 'nope' }).toString('hex'))])).toBe(ErrorCode.UNKNOWN_TYPE);
  });

  test('integer fields sent as uint64 by another library decode as numbers', () => {
    // {t:"ping", n: uint64 7}
    const d = new FrameDecoder();
    expect([...d.push(frameOf('82a174a470696e67a16e' + 'cf0000000000000007'))]).toEqual([{ t: 'ping', n: 7 }]);
    // beyond 2^53: refused, never silently rounded
    expect(codeOf([frameOf('82a174a470696e67a16e' + 'cf0020000000000001')])).toBe(ErrorCode.BAD_MESSAGE);
  });
});
