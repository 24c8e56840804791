// `pnpm reseal [--batch-size N]`: re-seals every stored secret still under another key with the first key of
// ENCRYPTION_KEYS, with the fleet running (docs/operations.md "Encryption keys"). `pnpm reseal --check`
// only counts the values under any other key. Exit 1 while anything stands in the way of removing the old
// keys: a value that does not open, or (with --check) a value under another key. No value is ever printed.

import { parseArgs } from 'node:util';
import { devDefaultsAllowedOnPublicUrl, loadConfigOrExit, resealConfigSchema } from '@adsync/config';
import { createKeyring, type Keyring } from '@adsync/crypto';
import { createDatabase, type Db } from '@adsync/db';
import { createLogger, type Logger, logFormatFor } from '@adsync/logging';
import { checkSealedValues, DEFAULT_RESEAL_BATCH_SIZE, type ResealCounts, resealSealedValues } from '../keys/reseal.ts';

const usage = `usage: reseal [--check] [--batch-size N]   (N rows per read, default ${DEFAULT_RESEAL_BATCH_SIZE})`;

/** Left-aligned first column, right-aligned numbers. */
function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, index) => Math.max(...cells.map((row) => row[index]?.length ?? 0)));
  return cells
    .map((row) =>
      row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0))),
    )
    .map((row) => row.join('  ').trimEnd())
    .join('\n');
}

async function reseal(deps: { db: Db; keyring: Keyring; logger: Logger }, batchSize: number) {
  const report = await resealSealedValues(deps, { batchSize });
  const sum = (pick: (counts: ResealCounts) => number) =>
    report.columns.reduce((total, counts) => total + pick(counts), 0);
  console.log(
    table(
      ['column', 'scanned', 'resealed', 'already current', 'changed meanwhile', 'unreadable'],
      [
        ...report.columns.map((counts) => [
          counts.column,
          counts.scanned,
          counts.resealed,
          counts.alreadyCurrent,
          counts.changedMeanwhile,
          counts.unreadable,
        ]),
        [
          'total',
          sum((c) => c.scanned),
          sum((c) => c.resealed),
          sum((c) => c.alreadyCurrent),
          sum((c) => c.changedMeanwhile),
          sum((c) => c.unreadable),
        ],
      ],
    ),
  );
  const unreadable = sum((c) => c.unreadable);
  if (unreadable > 0) {
    console.log(
      `\n${unreadable} value(s) do not open with any key in ENCRYPTION_KEYS: keep every key until each is explained.`,
    );
    for (const value of report.unreadable) {
      console.log(
        `  ${value.column}  ${value.row}  ${value.code}${value.keyId === undefined ? '' : ` (key ${value.keyId})`}`,
      );
    }
    if (report.unreadable.length < unreadable) console.log(`  … and ${unreadable - report.unreadable.length} more`);
    console.log(
      'unknown_key_id: add that key back to ENCRYPTION_KEYS (after the first) and run again. decryption_failed: ' +
        'the value was altered or copied from another row; it cannot be recovered, reconnect or recreate it.',
    );
    return 1;
  }
  console.log(
    `\nEvery value is sealed with key "${deps.keyring.activeKeyId}". Confirm with \`pnpm reseal --check\`, then ` +
      'remove the other keys from ENCRYPTION_KEYS.',
  );
  return 0;
}

async function check(deps: { db: Db; keyring: Keyring }) {
  const checks = await checkSealedValues(deps);
  const active = deps.keyring.activeKeyId;
  console.log(
    table(
      ['column', 'values', `under "${active}"`, 'under other keys', 'by key'],
      checks.map((entry) => [
        entry.column,
        entry.total,
        entry.total - entry.stale,
        entry.stale,
        entry.staleByKeyId.map((key) => `${key.keyId ?? '(not sealed)'}: ${key.count}`).join(', '),
      ]),
    ),
  );
  const stale = checks.reduce((total, entry) => total + entry.stale, 0);
  if (stale > 0) {
    console.log(`\n${stale} value(s) are not under key "${active}": run \`pnpm reseal\` before removing any key.`);
    return 1;
  }
  console.log(`\nEvery value is under key "${active}": the other keys can be removed from ENCRYPTION_KEYS.`);
  return 0;
}

async function main(): Promise<number> {
  let args: { check?: boolean; 'batch-size'?: string };
  try {
    args = parseArgs({ options: { check: { type: 'boolean' }, 'batch-size': { type: 'string' } } }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  const batchSize = Number(args['batch-size'] ?? DEFAULT_RESEAL_BATCH_SIZE);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    console.error(`--batch-size must be a whole number from 1 to 10000\n${usage}`);
    return 2;
  }
  const config = loadConfigOrExit(resealConfigSchema, 'reseal');
  const logger = createLogger({ name: 'reseal', level: config.LOG_LEVEL, format: logFormatFor(config) });
  const devDefaults = devDefaultsAllowedOnPublicUrl(config, { providers: false });
  if (devDefaults !== undefined) logger.warn(devDefaults);
  const keyring = createKeyring(config.ENCRYPTION_KEYS);
  const db = createDatabase({ url: config.DATABASE_URL, poolMax: 1, applicationName: 'adsync-reseal' });
  try {
    return args.check === true ? await check({ db, keyring }) : await reseal({ db, keyring, logger }, batchSize);
  } catch (error) {
    logger.error({ err: error }, 'reseal stopped; what was written stays, and running it again goes on');
    return 1;
  } finally {
    await db.destroy();
  }
}

process.exitCode = await main();
