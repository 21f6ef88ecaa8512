import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEvent } from '../../src/gossip/event';
import { ProtocolError } from '../../src/wire/errors';
import { FrameDecoder } from '../../src/wire/frame';
import { MESSAGES } from '../../src/wire/messages';
import { EventVector, FrameVector, Json, toJson, VectorFile } from './vectors/format';

/** The conformance vectors, read as another implementation would: from the JSON files alone. */
const load = <V>(name: string): V[] => (JSON.parse(readFileSync(join(__dirname, '../../vectors', name), 'utf8')) as VectorFile<V>).vectors;
const frames = load<FrameVector>('frames.json');
const bodies = load<EventVector>('event-bodies.json');

interface Outcome {
  messages: Json[];
  error?: string;
  incomplete?: true;
}

/** Feeds the stream in chunks of `size` bytes (Infinity = all at once) to a default-limit decoder. */
function readStream(hex: string, size: number): Outcome {
  const bytes = Buffer.from(hex, 'hex');
  const decoder = new FrameDecoder();
  const messages: Json[] = [];
  try {
    if (bytes.length === 0) for (const m of decoder.push(bytes)) messages.push(toJson(m));
    for (let i = 0; i < bytes.length; i += size) {
      for (const m of decoder.push(bytes.subarray(i, Math.min(bytes.length, i + size)))) messages.push(toJson(m));
    }
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    return { messages, error: err.code };
  }
  return decoder.pendingBytes > 0 ? { messages, incomplete: true } : { messages };
}

const expected = (v: FrameVector): Outcome => ({ messages: v.messages, ...(v.error ? { error: v.error } : {}), ...(v.incomplete ? { incomplete: true } : {}) });

describe('frame vectors', () => {
  test.each(frames.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    expect(readStream(v.hex, Infinity)).toEqual(expected(v));
  });

  test('every vector reads the same byte by byte and in 7-byte chunks', () => {
    for (const v of frames) {
      for (const size of [1, 7]) {
        const got = readStream(v.hex, size);
        // Compared as JSON text: jest's deep equality over ~150 × 2 outcomes is slow.
        if (JSON.stringify(got) !== JSON.stringify(expected(v))) throw new Error(`${v.name} in ${size}-byte chunks: ${JSON.stringify(got)}`);
      }
    }
  });

  test('every message type has valid and invalid vectors', () => {
    for (const t of Object.keys(MESSAGES)) {
      const mine = frames.filter((v) => v.name.startsWith(`${t}/`));
      expect({ t, valid: mine.some((v) => !v.error) }).toEqual({ t, valid: true });
      expect({ t, invalid: mine.some((v) => v.error === 'BAD_MESSAGE') }).toEqual({ t, invalid: true });
    }
  });
});

describe('event body vectors', () => {
  const SIG = Buffer.alloc(64, 0xcc);
  function read(hex: string): { event?: Json; error?: string } {
    try {
      const ev = decodeEvent(Buffer.from(hex, 'hex'), SIG, 0);
      return { event: toJson({ id: ev.id, origin: Buffer.from(ev.origin, 'hex'), ts: ev.ts, kind: ev.kind, data: ev.data }) };
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      return { error: err.code };
    }
  }

  test.each(bodies.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    expect(read(v.hex)).toEqual(v.error ? { error: v.error } : { event: v.event });
  });
});
