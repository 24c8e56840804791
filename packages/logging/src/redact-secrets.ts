// One redaction for everything adsync shows: log lines (the logger's formatters), Bull Board job data and
// error details. Any key named in SECRET_KEYS or PII_KEYS (any case) is replaced, at any depth.
// It walks values the way JSON.stringify will print them (own enumerable keys, toJSON first), so what is
// printed is exactly what was checked.

import { PII_KEYS, REDACTED, SECRET_KEYS } from './redaction.ts';

const SENSITIVE = new Set<string>([...SECRET_KEYS, ...PII_KEYS].map((key) => key.toLowerCase()));

/** Deeper than any log entry adsync writes; a deeper value is cut rather than walked without end. */
const MAX_DEPTH = 16;

function hasToJson(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

function redactValue(value: unknown, depth: number, ancestors: Set<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (hasToJson(value)) return redactValue(value.toJSON(), depth, ancestors);
  if (ancestors.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, ancestors));
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const inner = (value as Record<string, unknown>)[key];
      copy[key] = SENSITIVE.has(key.toLowerCase()) ? REDACTED : redactValue(inner, depth + 1, ancestors);
    }
    return copy;
  } finally {
    ancestors.delete(value);
  }
}

/** A copy of `value` with every secret or personal field replaced by `[redacted]`; the input is not changed. */
export function redactSecrets(value: unknown): unknown {
  return redactValue(value, 0, new Set());
}
