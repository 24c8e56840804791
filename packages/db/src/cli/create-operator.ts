// `pnpm operator:create --email ops@example.com --role admin [--token T]`: creates or updates an operator
// and prints the token once. Without --token a random one is generated; only its hash is stored. A given
// token must look random (at least 32 characters, see weakTokenReason): otherwise exit 2, nothing written.

import { parseArgs } from 'node:util';
import { loadConfigOrExit, migrateConfigSchema } from '@adsync/config';
import { generateToken, weakTokenReason } from '@adsync/crypto';
import { createDatabase } from '../create-database.ts';
import { upsertOperator } from '../repositories/operators.repository.ts';
import { OPERATOR_ROLES, type OperatorRole } from '../schema.ts';

const usage = 'usage: operator:create --email EMAIL --role admin|viewer [--token TOKEN]';

async function main(): Promise<number> {
  let args: { email?: string; role?: string; token?: string };
  try {
    args = parseArgs({
      options: { email: { type: 'string' }, role: { type: 'string' }, token: { type: 'string' } },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  const email = args.email?.trim().toLowerCase();
  if (email === undefined || !/^[^\s@]+@[^\s@]+$/.test(email)) {
    console.error(`--email must be an email address\n${usage}`);
    return 2;
  }
  if (!OPERATOR_ROLES.includes(args.role as OperatorRole)) {
    console.error(`--role must be one of: ${OPERATOR_ROLES.join(', ')}\n${usage}`);
    return 2;
  }
  // Tokens are stored as a fast SHA-256, which is only safe for long random strings. upsertOperator refuses
  // a weak one too; asked here first so that a typo needs no database.
  const weakness = args.token === undefined ? undefined : weakTokenReason(args.token);
  if (weakness !== undefined) {
    console.error(`--token ${weakness} (omit it to get a random one)\n${usage}`);
    return 2;
  }
  const config = loadConfigOrExit(migrateConfigSchema, 'operator:create');
  const token = args.token ?? generateToken('op');
  const db = createDatabase({ url: config.DATABASE_URL, poolMax: 1, applicationName: 'adsync-cli' });
  try {
    const operator = await upsertOperator(db, { email, role: args.role as OperatorRole, token });
    console.log(`operator ${operator.email} (${operator.role}) is ready.`);
    if (args.token === undefined) {
      console.log(`token (shown once, store it now): ${token}`);
      console.log('Use it as the password with the email as the user name (HTTP basic auth) on /queues.');
    }
    return 0;
  } finally {
    await db.destroy();
  }
}

process.exitCode = await main();
