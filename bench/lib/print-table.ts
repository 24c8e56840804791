// Prints scenario results beside the ceiling measured in the same run: figure, ceiling, ratio. Under
// `pnpm bench` (BENCH_ROWS_FILE set) a script hands its rows to the runner instead, which prints one table.

import { appendFileSync } from 'node:fs';

export interface BenchRow {
  /** Which benchmark script measured the row; the runner fills it in. */
  bench?: string;
  scenario: string;
  figure: number;
  ceiling: number | undefined;
  unit: string;
  /** An absolute target the scenario has, with how this run did against it (e.g. `< 5,000 ms: met`). */
  target?: string;
  note?: string;
}

function format(value: number | undefined): string {
  if (value === undefined) return '—';
  return value.toLocaleString('en', { maximumFractionDigits: Math.abs(value) < 100 ? 1 : 0 });
}

export function printTable(rows: readonly BenchRow[]): void {
  const rowsFile = process.env.BENCH_ROWS_FILE;
  if (rowsFile !== undefined && rowsFile !== '') {
    appendFileSync(rowsFile, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
    return;
  }
  console.log(formatTable(rows));
}

export function formatTable(rows: readonly BenchRow[]): string {
  const withBench = rows.some((row) => row.bench !== undefined);
  const withTarget = rows.some((row) => row.target !== undefined);
  const lines = rows.map((row) => [
    ...(withBench ? [row.bench ?? ''] : []),
    row.scenario,
    `${format(row.figure)} ${row.unit}`,
    row.ceiling === undefined ? '—' : `${format(row.ceiling)} ${row.unit}`,
    row.ceiling === undefined ? '—' : `${((row.figure / row.ceiling) * 100).toFixed(0)}%`,
    ...(withTarget ? [row.target ?? ''] : []),
    row.note ?? '',
  ]);
  const header = [
    ...(withBench ? ['bench'] : []),
    'scenario',
    'figure',
    'ceiling (same run)',
    'ratio',
    ...(withTarget ? ['target'] : []),
    'note',
  ];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]?.length ?? 0)),
  );
  const render = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [render(header), widths.map((width) => '-'.repeat(width)).join('  '), ...lines.map(render)].join('\n');
}
