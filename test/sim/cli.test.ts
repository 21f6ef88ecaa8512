/** The sim command line: what it runs, and what it refuses. */
import { parseArgs } from '../../src/sim/cli';
import { replayCommand } from '../../src/sim/run';

test('defaults: one chaos run of seed 1', () => {
  expect(parseArgs([])).toMatchObject({ scenario: 'chaos', seeds: ['1'], trace: null, nodes: null, durationS: null, verifyMemo: true });
});

test('--seeds N runs N seeds from --from (default 1); --seed takes any text', () => {
  expect(parseArgs(['--seeds', '3']).seeds).toEqual(['1', '2', '3']);
  expect(parseArgs(['--seeds', '2', '--from', '40']).seeds).toEqual(['40', '41']);
  expect(parseArgs(['--seed', 'late-and-gone', '--scenario', 'smoke'])).toMatchObject({ scenario: 'smoke', seeds: ['late-and-gone'] });
  expect(parseArgs(['--scenario', 'scale', '--nodes', '50', '--duration', '20', '--no-verify-memo'])).toMatchObject({ nodes: 50, durationS: 20, verifyMemo: false });
});

test('refuses what it does not know, with a message', () => {
  expect(() => parseArgs(['--bogus'])).toThrow('unknown option --bogus');
  expect(() => parseArgs(['--scenario', 'nope'])).toThrow('unknown scenario nope');
  expect(() => parseArgs(['--seeds', '-1'])).toThrow('non-negative integer');
  expect(() => parseArgs(['--seed'])).toThrow('needs a value');
  expect(() => parseArgs(['--seed', '1', '--seeds', '2'])).toThrow('not both');
  expect(() => parseArgs(['--seeds', '2', '--trace', 'f'])).toThrow('single seed');
});

test('the replay command names the scenario and the seed', () => {
  expect(replayCommand('chaos', 17)).toBe('npm run sim -- --scenario chaos --seed 17');
});
