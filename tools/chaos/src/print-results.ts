// The figures of each check, then its problems; returns how many problems there were.

import type { CheckResult } from './checks.ts';

export function printResults(results: readonly CheckResult[], print: (line: string) => void): number {
  let problems = 0;
  for (const result of results) {
    print('');
    print(`${result.name}: ${result.problems.length === 0 ? 'ok' : 'FAILED'}`);
    const width = Math.max(...Object.keys(result.figures).map((label) => label.length));
    for (const [label, value] of Object.entries(result.figures)) {
      print(`  ${label.padEnd(width)}  ${typeof value === 'number' ? value.toLocaleString('en') : value}`);
    }
    for (const problem of result.problems) print(`  ✗ ${problem}`);
    problems += result.problems.length;
  }
  print('');
  return problems;
}
