// Klaviyo's `filter=` syntax, for the operators the simulated endpoints document:
// `equals(name,"VIP")`, `any(email,["a@x.com","b@x.com"])`, `greater-than(joined_group_at,2026-01-01T00:00:00Z)`,
// several joined by `and(...)` or by commas at the top level.

import { invalid } from './klaviyo.json-api.ts';

export type FilterValue = string | string[];
export interface Condition {
  operator: string;
  field: string;
  value: FilterValue;
}

/** Which operators each field accepts, per endpoint. */
export type FilterSpec = Record<string, readonly string[]>;

const filterError = (detail: string) => invalid(detail, { parameter: 'filter' });

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (!quoted && (char === '(' || char === '[')) depth++;
    if (!quoted && (char === ')' || char === ']')) depth--;
    if (!quoted && depth === 0 && char === ',') {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current.trim());
  return parts.filter((part) => part !== '');
}

function parseScalar(raw: string): string {
  if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) return raw.slice(1, -1);
  if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw)) return raw;
  throw filterError(`Invalid filter value ${raw}: strings must be double-quoted.`);
}

function parseCall(expression: string): Condition[] {
  const match = /^([a-z-]+)\((.*)\)$/s.exec(expression.trim());
  if (match === null) throw filterError(`Invalid filter expression: ${expression}`);
  const [, operator = '', body = ''] = match;
  if (operator === 'and') return splitTopLevel(body).flatMap(parseCall);
  const [field, rawValue, ...rest] = splitTopLevel(body);
  if (field === undefined || rawValue === undefined || rest.length > 0) {
    throw filterError(`Invalid filter expression: ${expression}`);
  }
  const value =
    rawValue.startsWith('[') && rawValue.endsWith(']')
      ? splitTopLevel(rawValue.slice(1, -1)).map(parseScalar)
      : parseScalar(rawValue);
  return [{ operator, field, value }];
}

export function parseFilter(raw: string | undefined, spec: FilterSpec): Condition[] {
  if (raw === undefined) return [];
  const conditions = splitTopLevel(raw).flatMap(parseCall);
  for (const condition of conditions) {
    const operators = spec[condition.field];
    if (operators === undefined) throw filterError(`'${condition.field}' is not a valid field for filtering.`);
    if (!operators.includes(condition.operator)) {
      throw filterError(`'${condition.operator}' is not a valid operator for '${condition.field}'.`);
    }
    if ((condition.operator === 'any') !== Array.isArray(condition.value)) {
      throw filterError(`'${condition.operator}' needs ${condition.operator === 'any' ? 'a list' : 'a single value'}.`);
    }
  }
  return conditions;
}

function asTime(value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw filterError(`Invalid datetime ${value}.`);
  return ms;
}

/** Whether a record's field values satisfy every condition; datetime fields are given as epoch ms. */
export function matches(conditions: readonly Condition[], fields: Record<string, string | number | null>): boolean {
  return conditions.every(({ operator, field, value }) => {
    const actual = fields[field];
    if (actual === undefined || actual === null) return false;
    if (operator === 'equals') return String(actual) === value;
    if (operator === 'any') return Array.isArray(value) && value.includes(String(actual));
    const bound = asTime(String(value));
    const time = Number(actual);
    if (operator === 'greater-than') return time > bound;
    if (operator === 'greater-or-equal') return time >= bound;
    if (operator === 'less-than') return time < bound;
    if (operator === 'less-or-equal') return time <= bound;
    return false;
  });
}
