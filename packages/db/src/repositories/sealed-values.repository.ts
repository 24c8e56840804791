// Key rotation's queries over any sealed column: a page of values in primary-key order, a compare-and-swap
// that writes a re-sealed value only over the exact value that was read, and a count by key id. Table and
// column names come from a fixed catalog in code (typed against the schema), never from input.

import { sql } from 'kysely';
import type { Db } from '../create-database.ts';
import type { Database } from '../schema.ts';

type ColumnOf<T extends keyof Database> = keyof Database[T] & string;

/** Where sealed values live: one column of one table, and the columns their seal context is built from. */
export interface SealedColumnRef<T extends keyof Database = keyof Database> {
  readonly table: T;
  readonly column: ColumnOf<T>;
  /** The primary key: pages follow it and the swap names the row by it. */
  readonly key: ColumnOf<T>;
  /** Other columns the seal context is built from (e.g. `tenant_id`); read as text with the key. */
  readonly reads: readonly ColumnOf<T>[];
}

export interface SealedValueRow {
  /** The row's key and `reads` columns, as text, by column name. */
  readonly columns: Readonly<Record<string, string>>;
  readonly sealed: string;
}

/** One column's refs; the catalog builds its entries with this so a misspelt column is a compile error. */
export function sealedColumnRef<T extends keyof Database>(ref: SealedColumnRef<T>): SealedColumnRef {
  return ref as unknown as SealedColumnRef;
}

/** Up to `limit` non-null values after the key `after`, in key order (keyset paging: an index range scan). */
export async function pageSealedValues(
  db: Db,
  ref: SealedColumnRef,
  page: { after?: string; limit: number },
): Promise<SealedValueRow[]> {
  const names = [...new Set([ref.key, ...ref.reads])];
  const selected = sql.join(names.map((name) => sql`${sql.ref(name)}::text AS ${sql.id(name)}`));
  const after = page.after === undefined ? sql`` : sql`AND ${sql.ref(ref.key)} > ${page.after}`;
  const result = await sql<Record<string, string>>`
    SELECT ${selected}, ${sql.ref(ref.column)} AS "__sealed"
    FROM ${sql.table(ref.table)}
    WHERE ${sql.ref(ref.column)} IS NOT NULL ${after}
    ORDER BY ${sql.ref(ref.key)}
    LIMIT ${page.limit}`.execute(db);
  return result.rows.map(({ __sealed, ...columns }) => ({ columns, sealed: __sealed as string }));
}

/**
 * Writes `to` only if the row still holds `from`: false when anything changed it meanwhile (a refreshed
 * token, a wiped or deleted row), which the caller leaves as it is. One row, one autocommit statement, so
 * the row lock is held for a moment and never together with another.
 */
export async function swapSealedValue(
  db: Db,
  ref: SealedColumnRef,
  swap: { key: string; from: string; to: string },
): Promise<boolean> {
  const result = await sql`
    UPDATE ${sql.table(ref.table)} SET ${sql.ref(ref.column)} = ${swap.to}
    WHERE ${sql.ref(ref.key)} = ${swap.key} AND ${sql.ref(ref.column)} = ${swap.from}`.execute(db);
  return result.numAffectedRows === 1n;
}

/**
 * The column's non-null values counted by the key id they name; `keyId` is null for values that are not
 * in the sealed format at all. Only a well-formed key id is ever read out of a value.
 */
export async function countSealedValuesByKeyId(
  db: Db,
  ref: SealedColumnRef,
): Promise<{ keyId: string | null; count: number }[]> {
  const column = sql.ref(ref.column);
  const result = await sql<{ key_id: string | null; count: string }>`
    SELECT CASE WHEN ${column} ~ ${'^v1\\.[A-Za-z0-9_-]{1,32}\\.'} THEN split_part(${column}, '.', 2) END AS key_id,
      count(*) AS count
    FROM ${sql.table(ref.table)}
    WHERE ${column} IS NOT NULL
    GROUP BY 1
    ORDER BY 1`.execute(db);
  return result.rows.map((row) => ({ keyId: row.key_id, count: Number(row.count) }));
}
