// Shared pieces of the gateway's fuzz tests: how many runs and which seed (FUZZ_RUNS, FUZZ_SEED), nasty
// values and mutations of valid bodies, raw HTTP without any client-side checks, and "nothing was written"
// checks over every table of the test database and every Redis key of the test's prefix.

import { parseEnv, processEnvironment } from '@adsync/config';
import type { Database, Db } from '@adsync/db';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { z } from 'zod';

const fuzzEnv = z.object({
  /** Runs per property; the default keeps every fuzz file well under a minute on a small CI machine. */
  FUZZ_RUNS: z.coerce.number().int().min(1).default(100),
  /** A fixed seed by default, so CI sees the same inputs every time; fast-check prints it with a failure. */
  FUZZ_SEED: z.coerce.number().int().default(20_260_101),
  /** With FUZZ_SEED, replays the counterexample at this path (fast-check prints both); run one test with -t. */
  FUZZ_PATH: z.string().optional(),
});

const settings = parseEnv(fuzzEnv, processEnvironment());

/** fc.assert parameters: FUZZ_RUNS runs (times `scale`), a fixed seed printed on failure. */
export function fuzzParameters(scale = 1): fc.Parameters<unknown> {
  return {
    numRuns: Math.max(1, Math.round(settings.FUZZ_RUNS * scale)),
    seed: settings.FUZZ_SEED,
    verbose: 1,
    ...(settings.FUZZ_PATH === undefined ? {} : { path: settings.FUZZ_PATH }),
  };
}

/** A vitest timeout for a property of `scale` × FUZZ_RUNS runs, with room for shrinking a failure. */
export function fuzzTimeout(scale = 1, msPerRun = 400): number {
  return 60_000 + Math.round(settings.FUZZ_RUNS * scale * msPerRun);
}

/** An error code of the API: lower_snake_case. */
export const STABLE_CODE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

// ---------------------------------------------------------------------------------------------------------
// Values

/** A long string built cheaply (fast-check builds long strings one character at a time). */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(fc.string({ minLength: 1, maxLength: 4, unit: 'binary' }), fc.integer({ min: 1_000, max: 60_000 }))
  .map(([piece, times]) => piece.repeat(times).slice(0, 120_000));

/** Strings a parser might read as numbers or special values. */
export const numberLikeString = fc.constantFrom(
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '0x10',
  '1_000',
  '',
  ' ',
  'null',
  'undefined',
  'true',
  '9007199254740993',
  '١٢٣',
  '1.0',
  '+1',
);

/** Arrays (or objects) nested `depth` deep, built without recursion. */
export const deeplyNested: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 50, max: 1_500 }), fc.boolean())
  .map(([depth, asObject]) => {
    let value: unknown = 'bottom';
    for (let i = 0; i < depth; i += 1) value = asObject ? { a: value } : [value];
    return value;
  });

/** Keys that have bitten JavaScript servers before. */
export const trickyKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'valueOf',
  '',
  ' ',
  '$where',
  'a.b',
  '\u0000',
);

/** Any string: arbitrary code points (lone surrogates included), unicode, control characters. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('\u0000', '\r\n', '\u202e', '𝔘𝔫𝔦', '\ud800', 'é', '<script>alert(1)</script>', "' OR 1=1 --"),
);

/** Values of the wrong type, or of the right type and a nasty value. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 3 },
  { arbitrary: anyString, weight: 3 },
  { arbitrary: hugeString, weight: 1 },
  { arbitrary: numberLikeString, weight: 2 },
  {
    arbitrary: fc.constantFrom(
      0,
      -1,
      -0,
      0.5,
      1e308,
      -1e308,
      Number.MAX_SAFE_INTEGER + 2,
      Number.MIN_SAFE_INTEGER,
      2 ** 31,
      true,
      false,
      null,
      [],
      {},
    ),
    weight: 2,
  },
  { arbitrary: fc.dictionary(trickyKey, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }), weight: 1 },
  { arbitrary: deeplyNested, weight: 1 },
);

type Json = unknown;
type Path = (string | number)[];

/** Mutations go at most this deep (a deeply nested value is mutated near its top). */
const MAX_MUTATION_DEPTH = 8;

/** Every path into a JSON value (the root excluded), down to MAX_MUTATION_DEPTH. */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (prefix.length >= MAX_MUTATION_DEPTH) return [];
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => [[...prefix, index], ...pathsOf(item, [...prefix, index])]);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => [[...prefix, key], ...pathsOf(item, [...prefix, key])]);
  }
  return [];
}

/** Objects reachable in a JSON value (the root included), down to MAX_MUTATION_DEPTH. */
function objectPaths(value: Json, prefix: Path = []): Path[] {
  if (prefix.length >= MAX_MUTATION_DEPTH) return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => objectPaths(item, [...prefix, index]));
  if (typeof value === 'object' && value !== null) {
    return [prefix, ...Object.entries(value).flatMap(([key, item]) => objectPaths(item, [...prefix, key]))];
  }
  return [];
}

type Container = Record<string | number, Json>;

/** A shallow copy (an own "__proto__" key stays an own key). */
function copyOf(value: Json): Container {
  return (Array.isArray(value) ? [...value] : { ...(value as object) }) as Container;
}

/** A copy of `value`, copied along `path` only, with `edit` applied to the parent of `path`'s last step. */
function edited(value: Json, path: Path, edit: (parent: Container, key: string | number) => void): Json {
  const root = copyOf(value);
  let parent = root;
  for (const step of path.slice(0, -1)) {
    const child = copyOf(parent[step]);
    defineOwn(parent, step, child);
    parent = child;
  }
  const key = path.at(-1);
  if (key !== undefined) edit(parent, key);
  return root;
}

function defineOwn(target: Container, key: string | number, value: Json) {
  // A plain assignment to "__proto__" would set the prototype instead of adding a key.
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

/**
 * Mutations of valid values: a field replaced by a nasty value, a field removed, an unknown (or tricky) key
 * added; one to three at a time. Shrinks towards fewer mutations of a smaller valid value.
 */
export function mutationsOf<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<Json> {
  const mutation = fc.record({
    kind: fc.constantFrom('replace', 'replace', 'remove', 'add'),
    pick: fc.nat(),
    key: fc.oneof(trickyKey, fc.string({ maxLength: 12 })),
    value: nastyValue,
  });
  return fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([base, mutations]) => {
    let value: Json = base;
    for (const { kind, pick, key, value: nasty } of mutations) {
      if (kind === 'add') {
        const containers = objectPaths(value);
        const at = containers[pick % Math.max(containers.length, 1)];
        if (at === undefined) continue;
        value = edited(value, [...at, key], (parent, k) => defineOwn(parent, k, nasty));
        continue;
      }
      const paths = pathsOf(value);
      const path = paths[pick % Math.max(paths.length, 1)];
      if (path === undefined) continue;
      value = edited(value, path, (parent, k) => {
        if (kind === 'remove') {
          if (Array.isArray(parent)) parent.splice(Number(k), 1);
          else delete parent[k];
        } else defineOwn(parent, k, nasty);
      });
    }
    return value;
  });
}

/** A request body as text: JSON of a value, or raw text JSON.stringify cannot produce. */
export type BodyText = { text: string; contentType: string | undefined };

/** JSON texts a serializer never writes: huge exponents, duplicate and poisoned keys, cut-off text. */
export function rawBodyVariants(valid: fc.Arbitrary<Json>): fc.Arbitrary<string> {
  return fc.oneof(
    valid.map((value) => JSON.stringify(value).replace(/:(-?\d+)([,}\]])/, ':1e400$2')),
    valid.map((value) => JSON.stringify(value).replace(/:(-?\d+)([,}\]])/, ':-1e400$2')),
    valid.map((value) => JSON.stringify(value).replace('{', '{"__proto__":{"polluted":true},')),
    valid.map((value) => JSON.stringify(value).replace('{', '{"constructor":{"prototype":{"polluted":true}},')),
    valid.map((value) => {
      const text = JSON.stringify(value);
      // The first key again, with another value: JSON.parse keeps the last.
      return text.replace(/^\{("[^"]*"):/, '{$1:null,$1:');
    }),
    fc.tuple(valid, fc.nat()).map(([value, cut]) => {
      const text = JSON.stringify(value);
      return text.slice(0, cut % Math.max(text.length, 1));
    }),
    fc.constantFrom('', 'null', '[]', '"text"', '0', 'NaN', '{', '{"a":', '\u0000', '\ufeff{}', 'true'),
    anyString,
  );
}

/** A body: mostly JSON with the right content type, sometimes raw text or another content type. */
export function bodyOf(valid: fc.Arbitrary<Json>): fc.Arbitrary<BodyText> {
  const json = (value: Json): BodyText => ({ text: JSON.stringify(value) ?? 'null', contentType: 'application/json' });
  return fc.oneof(
    { arbitrary: mutationsOf(valid).map(json), weight: 6 },
    { arbitrary: fc.jsonValue({ maxDepth: 4 }).map(json), weight: 2 },
    { arbitrary: fc.anything({ maxDepth: 3, withObjectString: true }).map(json), weight: 1 },
    { arbitrary: valid.map(json), weight: 1 },
    {
      arbitrary: rawBodyVariants(valid).map((text): BodyText => ({ text, contentType: 'application/json' })),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(
          valid,
          fc.constantFrom(
            undefined,
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/json; charset=latin1',
            'application/jsonx',
            'multipart/form-data; boundary=x',
          ),
        )
        .map(([value, contentType]): BodyText => ({ text: JSON.stringify(value) ?? '', contentType })),
      weight: 1,
    },
  );
}

/** Path segments: ids that exist, ids that do not, and anything else (url-encoded; some raw). */
export function pathSegment(known: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...known).map(encodeURIComponent), weight: 2 },
    { arbitrary: fc.uuid().map(encodeURIComponent), weight: 1 },
    { arbitrary: anyString.map(safeEncode), weight: 4 },
    // Long, though within Node's limit on the request line (beyond it Node answers 431 before any route).
    { arbitrary: hugeString.map((text) => safeEncode(text.slice(0, 300))), weight: 1 },
    { arbitrary: fc.constantFrom('%', '%zz', '%c0%af', '%ed%a0%80', '%ff', '..', '.', '%2e%2e', '%00'), weight: 1 },
  );
}

/** encodeURIComponent, except that a lone surrogate becomes its raw (invalid UTF-8) percent-encoding. */
export function safeEncode(text: string): string {
  return Array.from(text, (char) => {
    try {
      return encodeURIComponent(char);
    } catch {
      return '%ed%a0%80';
    }
  }).join('');
}

// ---------------------------------------------------------------------------------------------------------
// HTTP

export interface RawAnswer {
  status: number;
  contentType: string;
  text: string;
  /** The JSON body, when it is JSON. */
  json: unknown;
}

/** One request exactly as given: no JSON encoding, no checks on the way out. */
export async function send(
  baseUrl: string,
  request: { method: string; path: string; body?: BodyText | undefined; headers?: Record<string, string> | undefined },
): Promise<RawAnswer> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.body?.contentType !== undefined) headers['content-type'] = request.body.contentType;
  const response = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers,
    redirect: 'manual',
    ...(request.body === undefined ? {} : { body: request.body.text }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, json };
}

/** Why an answer is not an API refusal (4xx, `{error: {code, message}}` with a stable code), or undefined. */
export function notAnApiRefusal(answer: RawAnswer): string | undefined {
  if (answer.status < 400 || answer.status > 499) return `status ${answer.status}`;
  if (!answer.contentType.startsWith('application/json')) return `content type "${answer.contentType}"`;
  const error = (answer.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (typeof error?.code !== 'string' || !STABLE_CODE.test(error.code)) return 'no stable error code';
  if (typeof error.message !== 'string' || error.message.trim() === '') return 'no error message';
  return undefined;
}

/** A short description of an answer for an assertion message. */
export function describeAnswer(answer: RawAnswer): string {
  return `${answer.status} ${answer.contentType} ${answer.text.slice(0, 400)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Nothing written

/** Every row of every table, as JSON texts per table (sorted), minus columns that change on every request. */
export type DatabaseSnapshot = Record<string, string[]>;

/** Bookkeeping that legitimately changes on any authenticated request. */
const VOLATILE_COLUMNS: Record<string, string[]> = { tenant_api_keys: ['last_used_at'] };

let tableNames: Promise<string[]> | undefined;

/** Every row of every table (read in parallel over the pool). */
export async function snapshotDatabase(db: Db): Promise<DatabaseSnapshot> {
  tableNames ??= db.introspection
    .getTables()
    .then((tables) => tables.filter((table) => !table.isView).map((table) => table.name));
  const tables = await tableNames;
  const contents = await Promise.all(
    tables.map(async (table) => {
      const rows = await db
        .selectFrom(table as keyof Database)
        .selectAll()
        .execute();
      const volatile = VOLATILE_COLUMNS[table] ?? [];
      const texts = rows.map((row) =>
        JSON.stringify(row, (key, value: unknown) =>
          volatile.includes(key) ? undefined : typeof value === 'bigint' ? value.toString() : value,
        ),
      );
      return [table, texts.sort()] as const;
    }),
  );
  return Object.fromEntries(contents);
}

/** Rows added and removed per table (a changed row is both); empty when nothing changed. */
export function databaseChanges(
  before: DatabaseSnapshot,
  after: DatabaseSnapshot,
): Record<string, { added: unknown[]; removed: unknown[] }> {
  const changes: Record<string, { added: unknown[]; removed: unknown[] }> = {};
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const old = new Set(before[table] ?? []);
    const now = new Set(after[table] ?? []);
    const added = [...now].filter((row) => !old.has(row)).map((row) => JSON.parse(row) as unknown);
    const removed = [...old].filter((row) => !now.has(row)).map((row) => JSON.parse(row) as unknown);
    if (added.length > 0 || removed.length > 0) changes[table] = { added, removed };
  }
  return changes;
}

/**
 * The Redis keys under a test's queue prefix, but the rate limits' counters: counting a request, refused
 * or not, is what they are for (their own tests are in security/auth-and-rate-limits).
 */
export async function redisKeys(redis: Redis, prefix: string): Promise<Set<string>> {
  return new Set((await redis.keys(`${prefix}*`)).filter((key) => !key.startsWith(`${prefix}:rate-limit:`)));
}

/** Keys present after and not before. */
export function newKeys(before: ReadonlySet<string>, after: ReadonlySet<string>): string[] {
  return [...after].filter((key) => !before.has(key));
}
