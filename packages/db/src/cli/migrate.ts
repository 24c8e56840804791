// `pnpm db:migrate`: applies every pending migration to DATABASE_URL and says which ran.

import { loadConfigOrExit, migrateConfigSchema } from '@adsync/config';
import { createLogger, logFormatFor } from '@adsync/logging';
import { createDatabase } from '../create-database.ts';
import { migrateToLatest } from '../migrate.ts';

async function main(): Promise<number> {
  const config = loadConfigOrExit(migrateConfigSchema, 'migrate');
  const logger = createLogger({ name: 'migrate', level: config.LOG_LEVEL, format: logFormatFor(config) });
  const db = createDatabase({ url: config.DATABASE_URL, poolMax: 1, applicationName: 'adsync-migrate' });
  try {
    const { applied } = await migrateToLatest(db);
    logger.info({ applied }, applied.length > 0 ? `applied ${applied.length} migration(s)` : 'schema is up to date');
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'migration failed');
    return 1;
  } finally {
    await db.destroy();
  }
}

process.exitCode = await main();
