import { describe, expect, it } from 'vitest';
import { FLEET } from './fleet.ts';
import { createProcessOutput } from './process-output.ts';

describe('FLEET', () => {
  it('names each app once and points at its entry point', () => {
    const names = FLEET.map((app) => app.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.slice(0, 2)).toEqual(['simulator', 'gateway']);
    for (const app of FLEET) expect(app.entry).toBe(`apps/${app.name}/src/main.ts`);
  });

  it('lines every prefix up to the longest name', () => {
    const output = createProcessOutput({
      appNames: FLEET.map((app) => app.name),
      colour: false,
      stdout: { write: () => undefined },
      stderr: { write: () => undefined },
    });
    const widths = new Set(
      [...FLEET.map((app) => app.name), 'postgres', 'migrate'].map((n) => output.prefix(n).length),
    );
    expect(widths.size).toBe(1);
    expect(output.prefix('gateway')).toBe('gateway        │ ');
  });
});
