/**
 * Time and chance come from the injected clock only (src/clock): a timer armed, a wall
 * clock read or a random number drawn anywhere else in src/ would be invisible to the
 * simulator and break replay from a seed. This keeps it so.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '../../src');
const ALLOWED_DIR = join(SRC, 'clock');
const RAW =
  /(^|[^.\w])(setTimeout|setInterval|setImmediate|randomUUID|randomBytes|getRandomValues)\s*\(|crypto\.(randomUUID|randomBytes|getRandomValues)|Date\.now\s*\(|Math\.random\s*\(|performance\.now\s*\(|process\.hrtime/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('no raw timers, wall-clock reads or randomness in src/ outside src/clock', () => {
  const offenders: string[] = [];
  for (const file of files(SRC)) {
    if (file.startsWith(ALLOWED_DIR)) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        // Comments and interface method signatures (`setTimeout(fn: ...): T;`) are not calls.
        const code = line
          .replace(/\/\*.*?\*\//g, '')
          .replace(/\/\/.*$/, '')
          .replace(/^\s*(\/\*\*|\*).*$/, '')
          .replace(/^\s*\w+\(.*\):\s*[\w<>|\s]+;\s*$/, '');
        if (RAW.test(code)) offenders.push(`${relative(SRC, file)}:${i + 1}: ${line.trim()}`);
      });
  }
  expect(offenders).toEqual([]);
});

test('the check does catch a raw call (it is not vacuous)', () => {
  for (const line of ['x = setTimeout(f, 1)', 'const t = Date.now()', 'Math.random()', 'crypto.randomUUID()', 'randomBytes(16)']) {
    expect(RAW.test(line)).toBe(true);
  }
  for (const line of ['this.clock.setTimeout(f, 1)', 'clock.now()', 'clock.randomBytes(16)']) expect(RAW.test(line)).toBe(false);
});
