// The alert rules and their runbooks stay in step with the code: every metric an alert reads is one the
// fleet defines (a renamed metric would silently never fire), and every alert's runbook is a section of
// docs/operations.md.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const PROMETHEUS_BUILTINS = new Set(['up']);
const PROMQL_WORDS = new Set([
  'sum',
  'by',
  'rate',
  'increase',
  'min',
  'max',
  'histogram_quantile',
  'and',
  'or',
  'unless',
  'without',
]);

interface Rule {
  alert: string;
  expr: string;
  annotations: { summary: string; runbook: string };
  labels: { severity: string };
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.includes('.test.') ? [path] : [];
  });
}

/** Every `adsync_*` metric the code registers (by its `name:`), with a histogram's series suffixes. */
function definedMetrics(): Set<string> {
  const names = new Set<string>();
  for (const root of ['apps', 'packages']) {
    for (const file of sourceFiles(join(ROOT, root))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/name: '(adsync_[a-z0-9_]+)'/g)) {
        const name = match[1] as string;
        for (const suffix of ['', '_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
      }
    }
  }
  return names;
}

/** Metric names in a PromQL expression: identifiers outside braces and strings that are not PromQL words. */
function metricsIn(expr: string): string[] {
  const outside = expr
    .replace(/\{[^}]*\}/g, '')
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*\]/g, '');
  const words = outside.match(/[a-zA-Z_][a-zA-Z0-9_]*/g) ?? [];
  return words.filter(
    (word) => !PROMQL_WORDS.has(word) && !/^(le|queue|job|provider|reason|state|outcome|status|final)$/.test(word),
  );
}

function runbookAnchors(): Set<string> {
  const doc = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
  return new Set(
    [...doc.matchAll(/^#{2,4} (.+)$/gm)].map((match) =>
      (match[1] as string)
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-'),
    ),
  );
}

const rules = (
  parse(readFileSync(join(ROOT, 'infra', 'prometheus', 'alerts.yml'), 'utf8')) as {
    groups: { rules: Rule[] }[];
  }
).groups.flatMap((group) => group.rules);

describe('alert rules', () => {
  it('exist', () => {
    expect(rules.length).toBeGreaterThan(5);
  });

  it('read only metrics the fleet defines', () => {
    const defined = definedMetrics();
    const unknown = rules.flatMap((rule) =>
      metricsIn(rule.expr)
        .filter((name) => !defined.has(name) && !PROMETHEUS_BUILTINS.has(name))
        .map((name) => `${rule.alert}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('each name a runbook section of docs/operations.md, a severity and a summary', () => {
    const anchors = runbookAnchors();
    for (const rule of rules) {
      expect(rule.annotations.runbook, rule.alert).toBe(`docs/operations.md#${rule.alert.toLowerCase()}`);
      expect(anchors.has(rule.alert.toLowerCase()), `runbook section for ${rule.alert}`).toBe(true);
      expect(['page', 'ticket']).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
    }
  });
});
