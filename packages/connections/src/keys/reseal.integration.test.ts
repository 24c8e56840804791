// Re-sealing against real Postgres: every sealed column ends up under the first key and still opens to the
// same plaintext with its own context; a value the fleet rewrites between the read and the write keeps the
// fleet's value; values that do not open are reported by row (never shown) while the rest goes on; the dry run
// counts by key id; a second run finds nothing to do; the catalog covers every `*_ciphertext` column; and the
// `pnpm reseal` command exits as an operator needs it to.

import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createKeyring, type Keyring, openSecret, type SealContext, sealSecret } from '@adsync/crypto';
import {
  createDatabase,
  createTenant,
  type Db,
  insertCapiDestination,
  insertConnection,
  insertDeadLetters,
  insertListJob,
  insertOAuthState,
  setTenantWebhook,
  updateConnection,
} from '@adsync/db';
import type { TokenSet } from '@adsync/providers';
import { createCapturingLogger, useTestEnvironment } from '@adsync/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { sealedApiKeyColumns, sealedTokenColumns } from '../credentials.ts';
import { sealWebhookSecret, webhookSecretContext } from '../webhooks/webhook-signature.ts';
import { checkSealedValues, type ResealReport, resealSealedValues } from './reseal.ts';
import { SEALED_COLUMNS, sealedColumnName } from './sealed-columns.ts';

const env = useTestEnvironment();
const REPO_ROOT = new URL('../../../../', import.meta.url).pathname;

const keyBytes = { old: randomBytes(32), new: randomBytes(32), gone: randomBytes(32) };
const OLD = createKeyring([{ id: 'old', key: keyBytes.old }]);
/** The fleet during a rotation: the new key seals, both open. */
const ROTATING = createKeyring([
  { id: 'new', key: keyBytes.new },
  { id: 'old', key: keyBytes.old },
]);
const NEW_ONLY = createKeyring([{ id: 'new', key: keyBytes.new }]);
const keysVariable = (ids: (keyof typeof keyBytes)[]) =>
  ids.map((id) => `${id}:${keyBytes[id].toString('base64')}`).join(',');

const { logger, lines } = createCapturingLogger('reseal-test', 'debug');

/** A value the test stored, where it is, and how its writer sealed it. */
interface Stored {
  table: string;
  column: string;
  key: string;
  id: string;
  plaintext: string;
  context: SealContext;
}

const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

function tokenSet(accessToken: string, refreshToken: string | null): TokenSet {
  return {
    accessToken,
    accessTokenExpiresAt: null,
    refreshToken,
    refreshTokenExpiresAt: null,
    scopes: [],
    externalUserId: null,
  };
}

/**
 * One tenant with a value in every sealed column, sealed with `keyring` the way each writer seals it: the
 * connection and webhook helpers of this package, and for the other packages' columns the same context their
 * code builds (the key-rotation drill opens those through that code itself).
 */
async function storeEverySecret(keyring: Keyring): Promise<Stored[]> {
  const stored: Stored[] = [];
  const tenant = await createTenant(env.db, { name: `reseal ${randomUUID().slice(0, 8)}` });
  const tenantId = tenant.id;

  const oauthId = randomUUID();
  const tokens = tokenSet(secret('access'), secret('refresh'));
  await insertConnection(env.db, {
    id: oauthId,
    tenant_id: tenantId,
    provider: 'google',
    auth_method: 'oauth',
    status: 'active',
  });
  await updateConnection(
    env.db,
    { tenantId, connectionId: oauthId },
    sealedTokenColumns(keyring, { tenantId, connectionId: oauthId }, tokens),
  );
  const connection = { table: 'connections', key: 'id', id: oauthId };
  stored.push(
    {
      ...connection,
      column: 'access_token_ciphertext',
      plaintext: tokens.accessToken,
      context: { tenantId, connectionId: oauthId, field: 'access_token' },
    },
    {
      ...connection,
      column: 'refresh_token_ciphertext',
      plaintext: tokens.refreshToken ?? '',
      context: { tenantId, connectionId: oauthId, field: 'refresh_token' },
    },
  );

  const klaviyoId = randomUUID();
  const privateKey = secret('pk');
  await insertConnection(env.db, {
    id: klaviyoId,
    tenant_id: tenantId,
    provider: 'klaviyo',
    auth_method: 'api_key',
    status: 'active',
  });
  await updateConnection(
    env.db,
    { tenantId, connectionId: klaviyoId },
    sealedApiKeyColumns(keyring, { tenantId, connectionId: klaviyoId }, privateKey),
  );
  stored.push({
    table: 'connections',
    key: 'id',
    id: klaviyoId,
    column: 'api_key_ciphertext',
    plaintext: privateKey,
    context: { tenantId, connectionId: klaviyoId, field: 'api_key' },
  });

  const webhookSecret = secret('whsec');
  await setTenantWebhook(env.db, tenantId, {
    url: 'https://hooks.example.com/adsync',
    secretCiphertext: sealWebhookSecret(keyring, tenantId, webhookSecret),
  });
  stored.push({
    table: 'tenants',
    key: 'id',
    id: tenantId,
    column: 'webhook_secret_ciphertext',
    plaintext: webhookSecret,
    context: webhookSecretContext(tenantId),
  });

  // As the gateway's destinations route seals a dedicated token.
  const destinationId = randomUUID();
  const destinationToken = secret('EAAG');
  const destinationContext = { tenantId, connectionId: destinationId, field: 'capi_access_token' };
  await insertCapiDestination(env.db, {
    id: destinationId,
    tenantId,
    provider: 'meta',
    name: 'pixel',
    pixelId: '2000000000000001',
    connectionId: null,
    accessTokenCiphertext: sealSecret(keyring, destinationToken, destinationContext),
    testEventCode: null,
  });
  stored.push({
    table: 'capi_destinations',
    key: 'id',
    id: destinationId,
    column: 'access_token_ciphertext',
    plaintext: destinationToken,
    context: destinationContext,
  });

  // As @adsync/events dead-letters an event: bound to its destination.
  const letterContext = { tenantId, connectionId: destinationId, field: 'capi_dead_letter' };
  const letter = JSON.stringify({ eventId: 'e-1', user: { email: secret('hashed') } });
  await insertDeadLetters(env.db, [
    {
      tenantId,
      destinationId,
      eventId: 'e-1',
      eventName: 'Lead',
      eventTime: new Date(),
      payloadCiphertext: sealSecret(keyring, letter, letterContext),
      reasonCode: 'rejected_by_platform',
      reasonMessage: 'no',
      acceptedAt: new Date(),
    },
  ]);
  const letterId = (
    await env.db
      .selectFrom('capi_dead_letters')
      .select('id')
      .where('destination_id', '=', destinationId)
      .executeTakeFirstOrThrow()
  ).id;
  stored.push({
    table: 'capi_dead_letters',
    key: 'id',
    id: letterId,
    column: 'payload_ciphertext',
    plaintext: letter,
    context: letterContext,
  });

  // As @adsync/klaviyo seals a list job's profiles: bound to the job.
  const listJobId = randomUUID();
  const profiles = JSON.stringify([{ email: `${secret('ada')}@example.com`, phoneNumber: null, channels: ['email'] }]);
  const profilesContext = { tenantId, connectionId: listJobId, field: 'klaviyo_list_profiles' };
  await insertListJob(env.db, {
    id: listJobId,
    tenantId,
    connectionId: klaviyoId,
    kind: 'create_list',
    listName: 'Launch',
    profilesCiphertext: sealSecret(keyring, profiles, profilesContext),
    profileCount: 1,
  });
  stored.push({
    table: 'klaviyo_list_jobs',
    key: 'id',
    id: listJobId,
    column: 'profiles_ciphertext',
    plaintext: profiles,
    context: profilesContext,
  });

  // As the gateway's OAuth start seals a PKCE verifier: bound to the state's nonce.
  const nonce = randomBytes(32).toString('base64url');
  const verifier = secret('verifier');
  const verifierContext = { tenantId, connectionId: `oauth-state:${nonce}`, field: 'pkce_verifier' };
  await insertOAuthState(env.db, {
    nonce,
    tenantId,
    provider: 'google',
    pkceVerifierCiphertext: sealSecret(keyring, verifier, verifierContext),
    browserBindingHash: 'hash-of-the-browser-cookie',
    expiresAt: new Date(Date.now() + 600_000),
  });
  stored.push({
    table: 'oauth_states',
    key: 'nonce',
    id: nonce,
    column: 'pkce_verifier_ciphertext',
    plaintext: verifier,
    context: verifierContext,
  });
  return stored;
}

async function storedValue(value: Pick<Stored, 'table' | 'column' | 'key' | 'id'>): Promise<string | null> {
  const { ref } = env.db.dynamic;
  const row = (await env.db
    .selectFrom(value.table as 'connections')
    .select(ref(value.column))
    .where(ref(value.key), '=', value.id)
    .executeTakeFirst()) as Record<string, string | null> | undefined;
  return row?.[value.column] ?? null;
}

/** Postgres's own views, typed for the few columns the tests read. */
const catalog = () =>
  env.db.withTables<{
    pg_stat_activity: { application_name: string; wait_event_type: string | null };
    'information_schema.columns': { table_schema: string; table_name: string; column_name: string };
  }>();

const countsOf = (report: ResealReport, column: string) => report.columns.find((counts) => counts.column === column);

afterEach(async () => {
  // Every row of every test hangs off a tenant.
  await env.db.deleteFrom('tenants').execute();
  lines.length = 0;
});

describe('resealSealedValues', () => {
  it('re-seals every sealed column with the first key; each value opens to the same plaintext, with the new key alone', async () => {
    const stored = [
      ...(await storeEverySecret(OLD)),
      ...(await storeEverySecret(OLD)),
      ...(await storeEverySecret(OLD)),
    ];
    const versionsBefore = await env.db
      .selectFrom('connections')
      .select(['id', 'credentials_version'])
      .orderBy('id')
      .execute();

    // Two rows a read: every column takes more than one page.
    const report = await resealSealedValues({ db: env.db, keyring: ROTATING, logger }, { batchSize: 2 });

    expect(report.unreadable).toEqual([]);
    for (const sealedColumn of SEALED_COLUMNS) {
      const name = sealedColumnName(sealedColumn);
      const expected = stored.filter((value) => `${value.table}.${value.column}` === name).length;
      expect(expected, name).toBeGreaterThan(0);
      expect(countsOf(report, name)).toEqual({
        column: name,
        scanned: expected,
        resealed: expected,
        alreadyCurrent: 0,
        changedMeanwhile: 0,
        unreadable: 0,
      });
    }
    for (const value of stored) {
      const sealed = await storedValue(value);
      expect(sealed, `${value.table}.${value.column}`).toMatch(/^v1\.new\./);
      expect(openSecret(NEW_ONLY, sealed ?? '', value.context)).toBe(value.plaintext);
    }
    // A refresh in flight must still win its own compare-and-swap on the version.
    expect(
      await env.db.selectFrom('connections').select(['id', 'credentials_version']).orderBy('id').execute(),
    ).toEqual(versionsBefore);
    const logged = lines.join('\n');
    for (const value of stored) expect(logged).not.toContain(value.plaintext);
    expect(logged).not.toMatch(/v1\.(old|new)\./);
  });

  it('is idempotent: a second run re-seals nothing and finds every value current', async () => {
    const stored = await storeEverySecret(OLD);
    await resealSealedValues({ db: env.db, keyring: ROTATING, logger });
    const first = await Promise.all(stored.map(storedValue));

    const again = await resealSealedValues({ db: env.db, keyring: ROTATING, logger });
    for (const counts of again.columns) {
      expect(counts.resealed, counts.column).toBe(0);
      expect(counts.alreadyCurrent, counts.column).toBe(counts.scanned);
    }
    expect(again.columns.reduce((sum, counts) => sum + counts.scanned, 0)).toBe(stored.length);
    expect(await Promise.all(stored.map(storedValue))).toEqual(first);
  });

  it('leaves a value the fleet rewrites between the read and the write as the fleet wrote it', async () => {
    const tenant = await createTenant(env.db, { name: 'race' });
    const key = { tenantId: tenant.id, connectionId: randomUUID() };
    await insertConnection(env.db, {
      id: key.connectionId,
      tenant_id: tenant.id,
      provider: 'tiktok',
      auth_method: 'oauth',
      status: 'active',
    });
    await updateConnection(
      env.db,
      key,
      sealedTokenColumns(OLD, key, tokenSet(secret('before'), secret('refresh-before'))),
    );
    // What a refresh on the rotated fleet writes: new tokens, under the new key.
    const refreshed = tokenSet(secret('after'), secret('refresh-after'));
    const fleetWrites = sealedTokenColumns(ROTATING, key, refreshed);

    const resealDb: Db = createDatabase({ url: env.databaseUrl, poolMax: 1, applicationName: 'reseal-race' });
    let running: Promise<ResealReport> | undefined;
    try {
      await env.db.transaction().execute(async (trx) => {
        // The refresh has written its row and not committed yet. The re-seal reads the committed (old) value...
        await trx
          .updateTable('connections')
          .set({ access_token_ciphertext: fleetWrites.access_token_ciphertext ?? null })
          .where('id', '=', key.connectionId)
          .execute();
        running = resealSealedValues({ db: resealDb, keyring: ROTATING, logger }, { batchSize: 10 });
        running.catch(() => undefined);
        // ...and its compare-and-swap waits on the refresh's row lock until the refresh commits.
        await expect
          .poll(
            async () =>
              (
                await catalog()
                  .selectFrom('pg_stat_activity')
                  .select('application_name')
                  .where('application_name', '=', 'reseal-race')
                  .where('wait_event_type', '=', 'Lock')
                  .execute()
              ).length,
            { timeout: 10_000, interval: 50 },
          )
          .toBe(1);
      });
      const report = await (running as unknown as Promise<ResealReport>);

      expect(countsOf(report, 'connections.access_token_ciphertext')).toMatchObject({
        scanned: 1,
        resealed: 0,
        changedMeanwhile: 1,
      });
      // The refresh token was not touched by the fleet here: re-sealed as usual.
      expect(countsOf(report, 'connections.refresh_token_ciphertext')).toMatchObject({ scanned: 1, resealed: 1 });
      const row = await env.db
        .selectFrom('connections')
        .selectAll()
        .where('id', '=', key.connectionId)
        .executeTakeFirstOrThrow();
      expect(row.access_token_ciphertext).toBe(fleetWrites.access_token_ciphertext);
      expect(openSecret(NEW_ONLY, row.access_token_ciphertext ?? '', { ...key, field: 'access_token' })).toBe(
        refreshed.accessToken,
      );
    } finally {
      await resealDb.destroy();
    }
  });

  it('reports values that do not open by column and row, never shows them, and still re-seals the rest', async () => {
    const stored = await storeEverySecret(OLD);
    const tenant = await createTenant(env.db, { name: 'damaged' });
    const gone = createKeyring([{ id: 'gone', key: keyBytes.gone }]);
    const ids = { goneKey: randomUUID(), copied: randomUUID(), malformed: randomUUID() };
    const access = (id: string) => ({ tenantId: tenant.id, connectionId: id, field: 'access_token' });
    const goneValue = sealSecret(gone, secret('lost'), access(ids.goneKey));
    // A ciphertext copied from another row: its context no longer matches.
    const copiedValue = sealSecret(OLD, secret('copied'), access(randomUUID()));
    const values = { [ids.goneKey]: goneValue, [ids.copied]: copiedValue, [ids.malformed]: 'not-a-sealed-value' };
    for (const [index, [id, value]] of Object.entries(values).entries()) {
      const provider = (['meta', 'tiktok', 'google'] as const)[index] ?? 'meta';
      await insertConnection(env.db, { id, tenant_id: tenant.id, provider, auth_method: 'oauth', status: 'active' });
      await updateConnection(env.db, { tenantId: tenant.id, connectionId: id }, { access_token_ciphertext: value });
    }

    const report = await resealSealedValues({ db: env.db, keyring: ROTATING, logger }, { batchSize: 2 });

    expect([...report.unreadable].sort((a, b) => a.row.localeCompare(b.row))).toEqual(
      [
        { column: 'connections.access_token_ciphertext', row: ids.goneKey, code: 'unknown_key_id', keyId: 'gone' },
        { column: 'connections.access_token_ciphertext', row: ids.copied, code: 'decryption_failed', keyId: 'old' },
        { column: 'connections.access_token_ciphertext', row: ids.malformed, code: 'malformed_ciphertext' },
      ].sort((a, b) => a.row.localeCompare(b.row)),
    );
    expect(countsOf(report, 'connections.access_token_ciphertext')).toMatchObject({
      scanned: 4,
      resealed: 1,
      unreadable: 3,
    });
    // Left exactly as they were, for someone to look at.
    for (const [id, value] of Object.entries(values)) {
      expect(await storedValue({ table: 'connections', column: 'access_token_ciphertext', key: 'id', id })).toBe(value);
    }
    for (const value of stored) expect(await storedValue(value)).toMatch(/^v1\.new\./);
    const shown = `${lines.join('\n')}${JSON.stringify(report)}`;
    for (const value of [goneValue, copiedValue, 'not-a-sealed-value']) expect(shown).not.toContain(value);
    expect(lines.filter((line) => line.includes('does not open'))).toHaveLength(3);
  });
});

describe('checkSealedValues', () => {
  it('counts, per column, the values under any key but the first, by key id, and changes nothing', async () => {
    const stored = await storeEverySecret(OLD);
    const tenant = await createTenant(env.db, { name: 'mixed' });
    const id = randomUUID();
    await insertConnection(env.db, {
      id,
      tenant_id: tenant.id,
      provider: 'meta',
      auth_method: 'oauth',
      status: 'active',
    });
    await updateConnection(
      env.db,
      { tenantId: tenant.id, connectionId: id },
      { access_token_ciphertext: 'plain-token.with.dots.and.more' },
    );
    const before = await Promise.all(stored.map(storedValue));

    const checks = await checkSealedValues({ db: env.db, keyring: ROTATING });

    expect(checks.map((check) => check.column)).toEqual(SEALED_COLUMNS.map(sealedColumnName));
    expect(checks.find((check) => check.column === 'connections.access_token_ciphertext')).toEqual({
      column: 'connections.access_token_ciphertext',
      total: 2,
      stale: 2,
      // A value not in the sealed format shows as such; nothing of it is read out as a key id.
      staleByKeyId: [
        { keyId: 'old', count: 1 },
        { keyId: null, count: 1 },
      ],
    });
    for (const check of checks.filter((entry) => entry.column !== 'connections.access_token_ciphertext')) {
      expect(check, check.column).toEqual({
        column: check.column,
        total: 1,
        stale: 1,
        staleByKeyId: [{ keyId: 'old', count: 1 }],
      });
    }
    expect(await Promise.all(stored.map(storedValue))).toEqual(before);

    await env.db.deleteFrom('connections').where('id', '=', id).execute();
    await resealSealedValues({ db: env.db, keyring: ROTATING, logger });
    const after = await checkSealedValues({ db: env.db, keyring: ROTATING });
    expect(after.every((check) => check.stale === 0 && check.total > 0)).toBe(true);
    // Under the old keyring, everything now counts as stale: it names the first key of the ring it is given.
    expect((await checkSealedValues({ db: env.db, keyring: OLD })).every((check) => check.stale === check.total)).toBe(
      true,
    );
  });
});

it('the catalog holds every *_ciphertext column of the schema', async () => {
  const columns = await catalog()
    .selectFrom('information_schema.columns')
    .select(['table_name', 'column_name'])
    .where('table_schema', '=', 'public')
    .where('column_name', 'like', '%\\_ciphertext')
    .execute();
  expect(columns.map((row) => `${row.table_name}.${row.column_name}`).sort()).toEqual(
    SEALED_COLUMNS.map(sealedColumnName).sort(),
  );
});

describe('pnpm reseal', () => {
  function run(args: string[], keys: (keyof typeof keyBytes)[]): Promise<{ status: number | null; out: string }> {
    const child = spawn(process.execPath, ['packages/connections/src/cli/reseal.ts', ...args], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ...env.env,
        ENCRYPTION_KEYS: keysVariable(keys),
        LOG_FORMAT: 'json',
      },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    return new Promise((resolve) => child.on('close', (status) => resolve({ status, out })));
  }

  it('checks, re-seals and checks again, exits 1 while a value stands in the way, and prints no value', async () => {
    const stored = await storeEverySecret(OLD);

    const usage = await run(['--batch-size', '0'], ['new', 'old']);
    expect(usage.status).toBe(2);
    expect(usage.out).toContain('usage: reseal');

    const before = await run(['--check'], ['new', 'old']);
    expect(before.status, before.out).toBe(1);
    expect(before.out).toMatch(/^connections\.api_key_ciphertext\s+1\s+0\s+1\s+old: 1$/m);
    expect(before.out).toContain('run `pnpm reseal` before removing any key');

    // Without the old key, nothing opens and nothing is written: the operator is told which rows.
    const withoutOld = await run([], ['new']);
    expect(withoutOld.status, withoutOld.out).toBe(1);
    expect(withoutOld.out).toMatch(/^total\s+8\s+0\s+0\s+0\s+8$/m);
    expect(withoutOld.out).toContain(`connections.api_key_ciphertext  ${stored[2]?.id}  unknown_key_id (key old)`);
    for (const value of stored) expect(await storedValue(value)).toMatch(/^v1\.old\./);

    const resealed = await run(['--batch-size', '1'], ['new', 'old']);
    expect(resealed.status, resealed.out).toBe(0);
    expect(resealed.out).toMatch(/^connections\.access_token_ciphertext\s+1\s+1\s+0\s+0\s+0$/m);
    expect(resealed.out).toMatch(/^total\s+8\s+8\s+0\s+0\s+0$/m);

    const after = await run(['--check'], ['new']);
    expect(after.status, after.out).toBe(0);
    expect(after.out).toContain('Every value is under key "new"');

    const printed = [usage, before, withoutOld, resealed, after].map((result) => result.out).join('\n');
    for (const value of stored) expect(printed).not.toContain(value.plaintext);
    expect(printed).not.toMatch(/v1\.(old|new)\.[A-Za-z0-9_-]/);
    expect(printed).not.toContain(keyBytes.old.toString('base64'));
    expect(printed).not.toContain(keyBytes.new.toString('base64'));
  });
});
