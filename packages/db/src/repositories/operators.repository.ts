// Operators: the platform's engineers (Bull Board, dead letters, backfills). Kept apart from tenants.
// Operator tokens are high-entropy random strings, so a plain SHA-256 at rest is enough to look them up.

import type { Db } from '../create-database.ts';
import type { Operator, OperatorRole } from '../schema.ts';

export async function upsertOperator(
  db: Db,
  values: { email: string; role: OperatorRole; tokenHash: string },
): Promise<Operator> {
  return db
    .insertInto('operators')
    .values({ email: values.email.toLowerCase(), role: values.role, token_hash: values.tokenHash })
    .onConflict((conflict) =>
      conflict.column('email').doUpdateSet({ role: values.role, token_hash: values.tokenHash, disabled_at: null }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The enabled operator with this email and token hash, if any. */
export async function findActiveOperator(
  db: Db,
  credentials: { email: string; tokenHash: string },
): Promise<Operator | undefined> {
  return db
    .selectFrom('operators')
    .selectAll()
    .where('email', '=', credentials.email.toLowerCase())
    .where('token_hash', '=', credentials.tokenHash)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
}
