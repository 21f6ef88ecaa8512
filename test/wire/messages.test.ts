import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, ProtocolError } from '../../src/wire/errors';
import { encodeFrame, FrameDecoder } from '../../src/wire/frame';
import { MAX_HOPS, MESSAGES, Message, MessageType, parseMessage } from '../../src/wire/messages';
import * as A from '../support/adversary-msgpack';

const bytes = (n: number, fill: number) => Buffer.alloc(n, fill);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const hello = { t: 'hello', v: 1, id: bytes(32, 1), port: 3001, nonce: bytes(32, 2), agent: 'test/1', ts: 1_700_000_000_000 };
const event = { t: 'event', body: Buffer.from('81a16101', 'hex'), sig: bytes(64, 4), hops: 3 };

/** 'ok', or `code: message` of the refusal. */
function outcome(v: unknown, encodedBytes?: number): string {
  try {
    parseMessage(v, encodedBytes);
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return `${(err as ProtocolError).code}: ${(err as ProtocolError).message}`;
  }
}
const code = (v: unknown) => outcome(v).split(':')[0];

test.each([
  ['an array', ErrorCode.BAD_MESSAGE, [1, 2, 3]],
  ['a string', ErrorCode.BAD_MESSAGE, 'hello'],
  ['a map without t', ErrorCode.BAD_MESSAGE, { v: 1 }],
  ['t not a string', ErrorCode.BAD_MESSAGE, { t: 1 }],
  ['an unknown t', ErrorCode.UNKNOWN_TYPE, { t: 'gimme' }],
  ['t = "__proto__"', ErrorCode.UNKNOWN_TYPE, JSON.parse('{"t":"__proto__"}')],
  ['t = "toString"', ErrorCode.UNKNOWN_TYPE, { t: 'toString' }],
  ['hello.v a string', ErrorCode.BAD_MESSAGE, { ...hello, v: 'one' }],
  ['hello.id 31 bytes', ErrorCode.BAD_MESSAGE, { ...hello, id: bytes(31, 1) }],
  ['hello.port 70000', ErrorCode.BAD_MESSAGE, { ...hello, port: 70000 }],
  ['hello.agent too long', ErrorCode.BAD_MESSAGE, { ...hello, agent: 'x'.repeat(65) }],
  ['hello.ts negative', ErrorCode.BAD_MESSAGE, { ...hello, ts: -1 }],
  ['hello.ts a Date (ext type)', ErrorCode.BAD_MESSAGE, { ...hello, ts: new Date() }],
  ['hello with an extra key', ErrorCode.BAD_MESSAGE, { ...hello, future: 'field' }],
  ['auth.sig missing', ErrorCode.BAD_MESSAGE, { t: 'auth' }],
  ['ping.n a float', ErrorCode.BAD_MESSAGE, { t: 'ping', n: 1.5 }],
  ['ping.n nil', ErrorCode.BAD_MESSAGE, { t: 'ping', n: null }],
  ['peers not an array', ErrorCode.BAD_MESSAGE, { t: 'peers', peers: {} }],
  ['peers too many', ErrorCode.BAD_MESSAGE, { t: 'peers', peers: Array(33).fill({ id: bytes(32, 1), host: '1.2.3.4', port: 1 }) }],
  ['event.sig 63 bytes', ErrorCode.BAD_MESSAGE, { ...event, sig: bytes(63, 0) }],
  ['event.hops missing', ErrorCode.BAD_MESSAGE, { t: 'event', body: bytes(3, 0), sig: bytes(64, 0) }],
  ['event.hops above MAX_HOPS', ErrorCode.BAD_MESSAGE, { ...event, hops: MAX_HOPS + 1 }],
  ['sync.done missing', ErrorCode.BAD_MESSAGE, { t: 'sync', events: [] }],
  ['sync.events[] not a map', ErrorCode.BAD_MESSAGE, { t: 'sync', events: [1], done: false }],
  ['error.code not a string', ErrorCode.BAD_MESSAGE, { t: 'error', code: 7 }],
  ['error.message nil', ErrorCode.BAD_MESSAGE, { t: 'error', code: 'X', message: null }],
])('%s → %s', (_name, want, value) => {
  expect(code(value)).toBe(want);
});

test('valid messages read as themselves; error.message is optional and reads as ""', () => {
  expect(parseMessage(hello)).toEqual(hello);
  expect(parseMessage(event)).toEqual(event);
  expect(parseMessage({ ...event, hops: MAX_HOPS })).toEqual({ ...event, hops: MAX_HOPS });
  expect(parseMessage({ t: 'error', code: 'X' })).toEqual({ t: 'error', code: 'X', message: '' });
});

test('unknown extra fields are refused (exact shapes), named in the message', () => {
  expect(outcome({ t: 'ping', n: 2, future: 'field' })).toBe('BAD_MESSAGE: ping has an unknown key "future"');
});

test('refusals name the path that failed', () => {
  const peers = Array.from({ length: 4 }, (_, i) => ({ id: bytes(32, 1), host: '1.2.3.4', port: i === 3 ? 70_000 : 1 }));
  expect(outcome({ t: 'peers', peers })).toBe('BAD_MESSAGE: peers.peers[3].port must be an integer 0..65535');
  expect(outcome({ ...event, hops: 65 })).toBe('BAD_MESSAGE: event.hops must be an integer 0..64');
  expect(outcome({ t: 'sync', events: [{ body: bytes(1, 0) }], done: true })).toBe('BAD_MESSAGE: sync.events[0] is missing the key "sig"');
});

/** The largest value of each bounded type: every string, bin, array and integer at its maximum. */
const LARGEST: Partial<Record<MessageType, A.Input>> = {
  hello: { t: 'hello', v: 0xffff, id: bytes(32, 1), port: 0xffff, nonce: bytes(32, 2), agent: 'a'.repeat(64), ts: MAX_SAFE },
  auth: { t: 'auth', sig: bytes(64, 3) },
  error: { t: 'error', code: 'C'.repeat(64), message: 'm'.repeat(256) },
  ping: { t: 'ping', n: MAX_SAFE },
  pong: { t: 'pong', n: MAX_SAFE },
  peers: { t: 'peers', peers: Array(32).fill({ id: bytes(32, 4), host: 'h'.repeat(64), port: 0xffff }) },
};

test('each bounded type: its largest value at the widest encoding takes exactly its declared bound, and is read', () => {
  for (const [t, value] of Object.entries(LARGEST)) {
    const payload = A.encode(value, { widest: true });
    expect({ t, bytes: payload.length }).toEqual({ t, bytes: MESSAGES[t as MessageType].maxBytes });
    const [msg] = new FrameDecoder().push(A.frame(payload));
    expect(msg.t).toBe(t);
  }
  // Only event bodies (alone, in a sync batch, or two in a proof) are bounded by the frame limit alone.
  const unbounded = Object.entries(MESSAGES).filter(([, d]) => d.maxBytes === Infinity).map(([t]) => t);
  expect(unbounded.sort()).toEqual(['event', 'proof', 'sync']);
});

test('a payload above its type\'s bound is refused on its size, before its shape', () => {
  const padded = A.encode({ t: 'ping', n: 1, pad: 'x'.repeat(40) });
  expect(outcome({ t: 'ping', n: 1, pad: 'x'.repeat(40) }, padded.length)).toBe(`BAD_MESSAGE: ping must be at most ${MESSAGES.ping.maxBytes} bytes encoded, got ${padded.length}`);
});

test('every message the node encodes reads back as itself', () => {
  const msgs: Message[] = [
    hello as Message,
    { t: 'auth', sig: bytes(64, 1) },
    { t: 'error', code: 'SHUTDOWN', message: 'bye' },
    { t: 'ping', n: MAX_SAFE },
    { t: 'pong', n: 0 },
    { t: 'peers', peers: [{ id: bytes(32, 1), host: '::1', port: 1 }] },
    event as Message,
    { t: 'sync', events: [{ body: bytes(10, 1), sig: bytes(64, 2) }], done: false },
  ];
  const d = new FrameDecoder();
  expect([...d.push(Buffer.concat(msgs.map((m) => encodeFrame(m))))]).toEqual(msgs);
});

test('docs/PROTOCOL.md §4 lists each type\'s byte bound as declared', () => {
  const doc = readFileSync(join(__dirname, '../../docs/PROTOCOL.md'), 'utf8');
  const table = doc.slice(doc.indexOf('## 4. Messages'), doc.indexOf('### 4.1'));
  for (const [t, decl] of Object.entries(MESSAGES)) {
    const row = table.split('\n').find((l) => l.startsWith(`| \`${t}\``) || l.includes(`/ \`${t}\``));
    const listed = row?.split('|').at(-2)?.trim().replace(/ /g, '');
    expect({ t, listed }).toEqual({ t, listed: decl.maxBytes === Infinity ? 'theframelimit' : String(decl.maxBytes) });
  }
});
