// Key rotation, the step between "the fleet seals with the new key" and "the old key is gone": re-seal every
// stored value still under another key with the keyring's first key, in place, with the fleet running.
//
// Safe with the fleet running because each write is a compare-and-swap on the value that was read: a value
// the fleet rewrote meanwhile (a refreshed token) is left alone, and is already under the new key because the
// fleet runs with it first. credentials_version is not touched: a refresh in flight must still win its own
// compare-and-swap, or the rotated refresh token it holds would be lost. Every write stands on its own, so a
// crash loses nothing and a second run only finds what is left.

import { type Keyring, resealSecret } from '@adsync/crypto';
import { countSealedValuesByKeyId, type Db, pageSealedValues, swapSealedValue } from '@adsync/db';
import { AppError } from '@adsync/errors';
import type { Logger } from '@adsync/logging';
import { SEALED_COLUMNS, type SealedColumn, sealedColumnName } from './sealed-columns.ts';

export const DEFAULT_RESEAL_BATCH_SIZE = 500;
/** A wrong keyring makes every value unreadable; the report lists this many per column and counts the rest. */
export const LISTED_UNREADABLE_PER_COLUMN = 50;

const UNREADABLE_CODES = new Set(['malformed_ciphertext', 'unknown_key_id', 'decryption_failed']);

export interface ResealDeps {
  db: Db;
  keyring: Keyring;
  logger: Logger;
}

export interface ResealCounts {
  /** `table.column`. */
  readonly column: string;
  /** Non-null values read. */
  scanned: number;
  /** Re-sealed with the first key and written back. */
  resealed: number;
  /** Already under the first key (and they open). */
  alreadyCurrent: number;
  /** Changed by someone else between the read and the write (lost compare-and-swap): left as they are. */
  changedMeanwhile: number;
  /** Could not be opened with any key of the ring: left as they are, listed in `unreadable`. */
  unreadable: number;
}

/** A value that does not open: where it is and why, never the value. */
export interface UnreadableValue {
  readonly column: string;
  readonly row: string;
  readonly code: string;
  /** The key id the value names, when it is well-formed. */
  readonly keyId?: string;
}

export interface ResealReport {
  readonly columns: readonly ResealCounts[];
  /** Up to LISTED_UNREADABLE_PER_COLUMN per column; the counts have them all. */
  readonly unreadable: readonly UnreadableValue[];
}

/** The key id named in an error from openSecret, if any. */
function keyIdIn(error: AppError): string | undefined {
  const keyId = error.details?.keyId;
  return typeof keyId === 'string' ? keyId : undefined;
}

async function resealColumn(
  deps: ResealDeps,
  sealedColumn: SealedColumn,
  batchSize: number,
  unreadable: UnreadableValue[],
): Promise<ResealCounts> {
  const column = sealedColumnName(sealedColumn);
  const counts: ResealCounts = {
    column,
    scanned: 0,
    resealed: 0,
    alreadyCurrent: 0,
    changedMeanwhile: 0,
    unreadable: 0,
  };
  const { ref } = sealedColumn;
  let after: string | undefined;
  for (;;) {
    const page = await pageSealedValues(deps.db, ref, { limit: batchSize, ...(after === undefined ? {} : { after }) });
    for (const value of page) {
      counts.scanned += 1;
      let resealed: { sealed: string; changed: boolean };
      try {
        resealed = resealSecret(deps.keyring, value.sealed, sealedColumn.context(value.columns));
      } catch (error) {
        if (!(error instanceof AppError) || !UNREADABLE_CODES.has(error.code)) throw error;
        counts.unreadable += 1;
        const keyId = keyIdIn(error);
        const found: UnreadableValue = {
          column,
          row: sealedColumn.label(value.columns),
          code: error.code,
          ...(keyId === undefined ? {} : { keyId }),
        };
        if (counts.unreadable <= LISTED_UNREADABLE_PER_COLUMN) {
          unreadable.push(found);
          deps.logger.warn(found, 'a sealed value does not open with any key in ENCRYPTION_KEYS; left as it is');
        }
        continue;
      }
      if (!resealed.changed) {
        counts.alreadyCurrent += 1;
        continue;
      }
      const swapped = await swapSealedValue(deps.db, ref, {
        key: value.columns[ref.key] as string,
        from: value.sealed,
        to: resealed.sealed,
      });
      if (swapped) counts.resealed += 1;
      else counts.changedMeanwhile += 1;
    }
    deps.logger.debug({ ...counts }, 'batch done');
    if (page.length < batchSize) return counts;
    after = page.at(-1)?.columns[ref.key];
  }
}

/**
 * Re-seals every stored value that is not under the keyring's first key, column by column in key order,
 * `batchSize` rows per read. Values that do not open are counted and listed, and the rest goes on.
 */
export async function resealSealedValues(
  deps: ResealDeps,
  options: { batchSize?: number } = {},
): Promise<ResealReport> {
  const batchSize = options.batchSize ?? DEFAULT_RESEAL_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new AppError('invalid_batch_size', 'The batch size must be a whole number of rows, at least 1.');
  }
  const unreadable: UnreadableValue[] = [];
  const columns: ResealCounts[] = [];
  deps.logger.info(
    { activeKeyId: deps.keyring.activeKeyId, keyIds: deps.keyring.keyIds, batchSize },
    're-sealing every sealed value with the first key',
  );
  for (const sealedColumn of SEALED_COLUMNS) {
    const counts = await resealColumn(deps, sealedColumn, batchSize, unreadable);
    deps.logger.info({ ...counts }, `${counts.column}: done`);
    columns.push(counts);
  }
  return { columns, unreadable };
}

export interface SealedValueCheck {
  /** `table.column`. */
  readonly column: string;
  readonly total: number;
  /** Values under any key but the first, or not in the sealed format at all. */
  readonly stale: number;
  /** The stale values by the key id they name; `null` for values not in the sealed format. */
  readonly staleByKeyId: readonly { keyId: string | null; count: number }[];
}

/**
 * The dry run: counts, per column, the values under any key but the keyring's first. Reads key ids only;
 * nothing is opened or written. When every `stale` is 0, no key but the first is needed any more.
 */
export async function checkSealedValues(deps: { db: Db; keyring: Keyring }): Promise<SealedValueCheck[]> {
  const checks: SealedValueCheck[] = [];
  for (const sealedColumn of SEALED_COLUMNS) {
    const byKeyId = await countSealedValuesByKeyId(deps.db, sealedColumn.ref);
    const staleByKeyId = byKeyId.filter((entry) => entry.keyId !== deps.keyring.activeKeyId);
    checks.push({
      column: sealedColumnName(sealedColumn),
      total: byKeyId.reduce((sum, entry) => sum + entry.count, 0),
      stale: staleByKeyId.reduce((sum, entry) => sum + entry.count, 0),
      staleByKeyId,
    });
  }
  return checks;
}
