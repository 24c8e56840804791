// `pnpm bench`: every scenario of DESIGN §7, then one table: figure, ceiling measured in the same run, ratio.
// Each benchmark script runs in its own process, one after the other, so no two compete for the CPU; each
// hands its rows over through BENCH_ROWS_FILE. Default sizes finish in minutes on a 2-core machine;
// `--full` (or BENCH_FULL=1) runs DESIGN §7's sizes: 100,000 due connections and 100,000 events.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { type BenchRow, formatTable } from './lib/print-table.ts';

const FULL = process.argv.includes('--full') || process.env.BENCH_FULL === '1';

interface Bench {
  name: string;
  script: string;
  size: number;
  /** What the size counts, for the line of sizes above the table. */
  describe: (size: number) => string;
}

const count = (size: number) => size.toLocaleString('en');

// DESIGN §7's order: conversion events (ingest, delivery), refresh fleet (sweep, refreshes, fairness), spend,
// rate limits; then the simulator's own throughput, which must stay far above what the others ask of it.
const BENCHES: Bench[] = [
  {
    name: 'events',
    script: 'events.bench.ts',
    // Below some 50,000 events the delivery lasts about a second, too short to be a figure.
    size: FULL ? 100_000 : 50_000,
    describe: (size) => `events ${count(size)} delivered (ingest: 3 rounds of 5 s)`,
  },
  {
    name: 'refresh',
    script: 'refresh.bench.ts',
    size: FULL ? 100_000 : 20_000,
    describe: (size) => `refresh ${count(size)} due connections`,
  },
  {
    name: 'spend',
    script: 'spend.bench.ts',
    size: FULL ? 1_000 : 300,
    describe: (size) => `spend ${count(size)} ad accounts`,
  },
  {
    name: 'rate-limits',
    script: 'rate-limits.bench.ts',
    size: FULL ? 30 : 15,
    describe: (size) => `rate limits ${size} s per platform`,
  },
  {
    name: 'simulator',
    script: 'simulator.bench.ts',
    size: FULL ? 5_000 : 2_000,
    describe: (size) => `simulator ${count(size)} ms per request kind`,
  },
];

// `pnpm bench refresh spend=50` runs only those, at the given sizes (the others' defaults otherwise).
const picked = new Map<string, number | undefined>();
for (const arg of process.argv.slice(2).filter((value) => !value.startsWith('--'))) {
  const [name = '', size] = arg.split('=');
  if (!BENCHES.some((bench) => bench.name === name)) {
    throw new Error(`no benchmark "${name}"; there are ${BENCHES.map((bench) => bench.name).join(', ')}`);
  }
  picked.set(name, size === undefined ? undefined : Number(size));
}
const chosen = BENCHES.filter((bench) => picked.size === 0 || picked.has(bench.name)).map((bench) => ({
  ...bench,
  size: picked.get(bench.name) ?? bench.size,
}));

const folder = mkdtempSync(join(tmpdir(), 'adsync-bench-'));
const rows: BenchRow[] = [];
const failures: string[] = [];
const timings: string[] = [];
const started = Date.now();
try {
  for (const bench of chosen) {
    const rowsFile = join(folder, `${bench.name}.jsonl`);
    writeFileSync(rowsFile, '');
    console.log(`\n== ${bench.name} (${bench.describe(bench.size)}) ==`);
    const benchStarted = Date.now();
    const child = spawn(process.execPath, [new URL(bench.script, import.meta.url).pathname, String(bench.size)], {
      env: { ...process.env, BENCH_ROWS_FILE: rowsFile },
      stdio: 'inherit',
    });
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    timings.push(`${bench.name} ${((Date.now() - benchStarted) / 60_000).toFixed(1)} min`);
    for (const line of readFileSync(rowsFile, 'utf8').split('\n')) {
      if (line.trim() !== '') rows.push({ ...(JSON.parse(line) as BenchRow), bench: bench.name });
    }
    if (code !== 0) failures.push(`${bench.name} exited with ${signal ?? code}`);
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}

const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
console.log('\n== adsync benchmarks: every scenario of DESIGN §7, each beside its ceiling measured in the same run ==');
console.log(
  `machine: ${availableParallelism()} cores (${model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
    `Node ${process.version}, ${process.platform} ${process.arch}`,
);
const sized =
  picked.size > 0 ? 'chosen' : FULL ? 'full (DESIGN §7)' : 'default (pnpm bench --full for DESIGN §7 sizes)';
console.log(`sizes: ${sized}: ${chosen.map((bench) => bench.describe(bench.size)).join('; ')}`);
console.log(`took ${((Date.now() - started) / 60_000).toFixed(1)} min (${timings.join(', ')})\n`);
console.log(formatTable(rows));
if (failures.length > 0) {
  console.log(`\nFAILED: ${failures.join('; ')} (their rows, if any, are above)`);
  process.exitCode = 1;
}
