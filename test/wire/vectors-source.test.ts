import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_VECTORS } from './vectors/event-cases';
import { render, VectorFile } from './vectors/format';
import { FRAME_VECTORS } from './vectors/frame-cases';

/**
 * vectors/*.json are written from the readable cases in test/wire/vectors/. This keeps
 * the two in step; after changing a case, rewrite the files with
 *   UPDATE_VECTORS=1 npx jest test/wire/vectors-source.test.ts
 */
const FILES: Array<[string, VectorFile<{ name: string }>]> = [
  ['frames.json', FRAME_VECTORS],
  ['event-bodies.json', EVENT_VECTORS],
];

test.each(FILES)('vectors/%s is exactly what its cases write', (name, file) => {
  const path = join(__dirname, '../../vectors', name);
  const want = render(file);
  if (process.env.UPDATE_VECTORS === '1') writeFileSync(path, want);
  expect(readFileSync(path, 'utf8')).toBe(want);
});

test.each(FILES)('vectors/%s: every vector has its own name', (_name, file) => {
  const names = file.vectors.map((v) => v.name);
  expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
});
