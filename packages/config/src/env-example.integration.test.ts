import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  gatewayConfigSchema,
  launcherConfigSchema,
  migrateConfigSchema,
  simulatorConfigSchema,
  workerConfigSchema,
} from './index.ts';

function keysOf(schema: { shape?: Record<string, unknown>; def?: { in?: unknown; schema?: unknown } }): string[] {
  // Refined object schemas wrap the object; unwrap until the shape shows.
  let current: unknown = schema;
  for (let depth = 0; depth < 5; depth += 1) {
    const candidate = current as { shape?: Record<string, unknown>; def?: { in?: unknown; schema?: unknown } };
    if (candidate.shape !== undefined) return Object.keys(candidate.shape);
    current = candidate.def?.in ?? candidate.def?.schema;
  }
  throw new Error('no object shape found');
}

describe('.env.example', () => {
  it('documents every variable the apps read, and nothing else', () => {
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const documented = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]).sort();
    const read = [
      ...new Set(
        [
          gatewayConfigSchema,
          workerConfigSchema(0),
          launcherConfigSchema,
          migrateConfigSchema,
          simulatorConfigSchema,
        ].flatMap((schema) => keysOf(schema as never)),
      ),
    ].sort();
    expect(documented).toEqual(read);
  });
});
