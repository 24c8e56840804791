// Prints scenario results beside the ceiling measured in the same run: figure, ceiling, ratio.

export interface BenchRow {
  scenario: string;
  figure: number;
  ceiling: number | undefined;
  unit: string;
  note?: string;
}

export function printTable(rows: readonly BenchRow[]): void {
  const format = (value: number | undefined) => (value === undefined ? '—' : Math.round(value).toLocaleString('en'));
  const lines = rows.map((row) => [
    row.scenario,
    `${format(row.figure)} ${row.unit}`,
    row.ceiling === undefined ? '—' : `${format(row.ceiling)} ${row.unit}`,
    row.ceiling === undefined ? '—' : `${((row.figure / row.ceiling) * 100).toFixed(0)}%`,
    row.note ?? '',
  ]);
  const header = ['scenario', 'figure', 'ceiling (same run)', 'ratio', 'note'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]?.length ?? 0)),
  );
  const render = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  console.log(render(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of lines) console.log(render(line));
}
