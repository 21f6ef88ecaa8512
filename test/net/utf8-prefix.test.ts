import { utf8Prefix } from '../../src/peer/connection';
import { MAX_REASON_BYTES } from '../../src/wire/messages';

test('an error reason is cut to the wire bound in UTF-8 bytes, never inside a character', () => {
  const long = 'é'.repeat(200); // 400 bytes
  const cut = utf8Prefix(long, MAX_REASON_BYTES);
  expect(Buffer.byteLength(cut)).toBe(256);
  expect(cut).toBe('é'.repeat(128));
  expect(utf8Prefix('€'.repeat(100), 10)).toBe('€'.repeat(3)); // 3 bytes each: 9 fit, not 10
  expect(utf8Prefix('short', 256)).toBe('short');
});
