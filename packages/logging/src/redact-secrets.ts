// Redaction for data shown outside the logger (Bull Board job data, error details): the same keys the
// logger redacts, at any depth.

import { PII_KEYS, REDACTED, SECRET_KEYS } from './redaction.ts';

const SENSITIVE = new Set<string>([...SECRET_KEYS, ...PII_KEYS].map((key) => key.toLowerCase()));

export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      SENSITIVE.has(key.toLowerCase()) ? REDACTED : redactSecrets(inner),
    ]),
  );
}
