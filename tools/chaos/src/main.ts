// `pnpm chaos [--long] [--seed N]`: shakes a fleet of its own (SIGKILLed workers, a Redis restart, Postgres
// stopped for 30 s) under refresh, spend and event load, then checks nothing was lost, doubled or stuck.
// Exits 1 when a check finds a problem. The short plan is what CI runs; --long is for people.

import { parseArgs } from 'node:util';
import { CHAOS_PLANS } from './chaos-plan.ts';
import { printResults } from './print-results.ts';
import { runChaos } from './run-chaos.ts';

const { values } = parseArgs({
  options: { long: { type: 'boolean', default: false }, seed: { type: 'string' } },
});
const plan = CHAOS_PLANS[values.long ? 'long' : 'short'];
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isInteger(seed)) {
  console.error(`--seed must be a whole number, not "${values.seed}"`);
  process.exit(2);
}

try {
  const results = await runChaos(plan, seed, (line) => console.log(line));
  const problems = printResults(results, (line) => console.log(line));
  console.log(
    problems === 0 ? 'chaos: every check passed' : `chaos: ${problems} problem(s); replay with --seed ${seed}`,
  );
  process.exitCode = problems === 0 ? 0 : 1;
} catch (error) {
  console.error('chaos: the run itself failed:', error);
  process.exitCode = 1;
}
// Anything still open (a reconnecting client) must not keep a finished run alive.
setTimeout(() => process.exit(), 2_000).unref();
