/**
 * The fuzzer's short run in `npm test` (issue 9): a seeded mutation fuzz run against a
 * live node in virtual time. The seed is random unless FUZZ_SEED fixes it, and is
 * printed first, so a failure here is replayed with FUZZ_SEED=<seed> (or, longer, with
 * `npm run fuzz -- --seed <seed>`). docs/FUZZING.md says what it mutates.
 */
import { randomBytes } from 'node:crypto';
import { Campaign } from '../../fuzz/campaign';
import { type CampaignReport, replayCommand } from '../../fuzz/report';

const SEED = process.env.FUZZ_SEED ?? randomBytes(4).toString('hex');
const CASES = Number(process.env.FUZZ_CASES ?? 1000);
const BATCH = 500;

/**
 * Bugs the fuzzer found that are not fixed yet (see docs/FUZZING.md, "Findings"). Each
 * is a link closed with INTERNAL_ERROR, never a crash: an owner update's embedded add,
 * or a confirm's embedded accept, that is signed but malformed makes the kind's check()
 * throw EventShapeError ("order.add: ...", "order.accept: ...") instead of refusing
 * the event. (A top-level event of a bad shape is refused as BAD_EVENT: only embedded
 * ones reach this.) Delete the entry when the bug is fixed; any other INTERNAL_ERROR
 * fails here.
 */
/** INTERNAL_ERROR closes explained and accepted: none (a malformed embedded add/accept was one; fixed). */
const KNOWN_INTERNAL_ERRORS: RegExp[] = [];

let report: CampaignReport;

beforeAll(async () => {
  process.stdout.write(`fuzz short run: seed ${SEED}, ${CASES} cases (replay: FUZZ_SEED=${SEED} npx jest test/fuzz/short-run.test.ts)\n`);
  report = await new Campaign({ seed: SEED, cases: CASES, mode: 'memory', batch: BATCH }).run();
}, 60_000);

function show(kinds: string[]): string {
  return report.findings
    .filter((f) => kinds.includes(f.kind))
    .map((f) => `${f.kind} at case ${f.case}: ${f.detail}\n  ${f.what.join(' ')}\n  replay: ${replayCommand(f, report)}`)
    .join('\n');
}

test('no uncaught exception, unhandled rejection or process exit while the node handles fuzzed bytes', () => {
  expect(show(['CRASH'])).toBe('');
  expect(report.crashes).toBe(0);
});

test('no link is wedged: every case ends with a pong or an error frame', () => {
  expect(show(['WEDGED', 'HARNESS'])).toBe('');
  expect(report.casesRun).toBe(CASES);
});

test('after each batch a fresh honest peer links up and a place/accept round trip completes', () => {
  expect(show(['UNHEALTHY'])).toBe('');
  expect(report.healthChecks).toBe(Math.ceil(CASES / BATCH));
});

test('every INTERNAL_ERROR the node closed a link with is a known, reported bug', () => {
  const kinds = Object.entries(report.findingKinds);
  const unknown = kinds.filter(([k]) => k.startsWith('BUG_LOG') && !KNOWN_INTERNAL_ERRORS.some((re) => re.test(k)));
  expect(unknown.map(([k, v]) => `${k} (first at case ${v.firstCase}: npm run fuzz -- --seed ${SEED} --only ${v.firstCase})`)).toEqual([]);
  // Each INTERNAL_ERROR close has its log line and its count in the node's stats: none goes unexplained.
  const total = (prefix: string) => kinds.filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v.count, 0);
  expect(total('BUG_LOG: peer.internal-error')).toBe(total('INTERNAL_ERROR'));
  expect(report.node.internalErrors).toBe(total('INTERNAL_ERROR'));
});

test('the run reached past the reader: valid re-signed events were taken, and refused by the exchange checks', () => {
  // Refusals at each layer: the frame reader, the message schemas, the event envelope.
  for (const code of ['DECODE_FAILED', 'BAD_MESSAGE', 'BAD_EVENT', 'OPEN']) expect(report.outcomes[code] ?? 0).toBeGreaterThan(0);
  expect(report.node.eventsIn).toBeGreaterThan(0);
  // peer.invalid: an event that verified but that the exchange refused (shape, owner, amounts).
  expect(report.warnings['peer.invalid'] ?? 0).toBeGreaterThan(0);
  expect(report.handshakes).toBeGreaterThan(0);
});

test('memory stays bounded over the run', () => {
  process.stdout.write(`fuzz short run: heap ${report.heap.beforeMb} MB before, ${report.heap.afterMb} MB after, outcomes ${JSON.stringify(report.outcomes)}\n`);
  // Each batch's node is closed; what stays is the report and the corpus.
  expect(report.heap.afterMb).toBeLessThan(report.heap.beforeMb + 64);
});
