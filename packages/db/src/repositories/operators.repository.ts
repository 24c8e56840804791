// Operators: the platform's engineers (Bull Board, dead letters, backfills). Kept apart from tenants.
// Only a token's SHA-256 is stored, which is enough for high-entropy random strings; every way in goes
// through upsertOperator, which refuses a chosen token that does not look random (weakTokenReason).

import { hashToken, weakTokenReason } from '@adsync/crypto';
import { AppError } from '@adsync/errors';
import type { Db } from '../create-database.ts';
import type { Operator, OperatorRole } from '../schema.ts';

/** Creates the operator, or gives an existing one (same email) this role and token and enables it again. */
export async function upsertOperator(
  db: Db,
  values: { email: string; role: OperatorRole; token: string },
): Promise<Operator> {
  const weakness = weakTokenReason(values.token);
  if (weakness !== undefined) {
    throw new AppError('weak_operator_token', `An operator token ${weakness}; use a random one.`);
  }
  const tokenHash = hashToken(values.token);
  return db
    .insertInto('operators')
    .values({ email: values.email.toLowerCase(), role: values.role, token_hash: tokenHash })
    .onConflict((conflict) =>
      conflict.column('email').doUpdateSet({ role: values.role, token_hash: tokenHash, disabled_at: null }),
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
