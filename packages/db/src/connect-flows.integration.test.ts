import { hashToken } from '@adsync/crypto';
import { useTestEnvironment } from '@adsync/testing';
import { describe, expect, it } from 'vitest';
import {
  createTenant,
  createTenantWithKey,
  insertConnection,
  issueApiKey,
  listAdAccounts,
  listApiKeys,
  revokeApiKey,
  setOnboardingStepSkipped,
  setSelectedAdAccounts,
  skippedOnboardingSteps,
  upsertAdAccounts,
  useApiKey,
} from './index.ts';

const env = useTestEnvironment();

describe('tenant API keys', () => {
  it('are shown once, found by hash, listed by prefix only, and stop working once revoked', async () => {
    const { tenant, apiKey } = await createTenantWithKey(env.db, { name: 'Acme', keyName: 'default' });
    expect(apiKey).toMatch(/^adsync_[A-Za-z0-9_-]{43}$/);
    expect(await useApiKey(env.db, hashToken(apiKey))).toMatchObject({ tenantId: tenant.id });
    const [listed] = await listApiKeys(env.db, tenant.id);
    expect(listed?.key_prefix).toBe(apiKey.slice(0, 13));
    expect(listed?.last_used_at).toBeInstanceOf(Date);
    expect(JSON.stringify(listed)).not.toContain(apiKey);

    const other = await createTenant(env.db, { name: 'Other' });
    expect(await revokeApiKey(env.db, { tenantId: other.id, keyId: listed?.id ?? '' })).toBe(false);
    expect(await useApiKey(env.db, hashToken(apiKey))).toBeDefined();
    expect(await revokeApiKey(env.db, { tenantId: tenant.id, keyId: listed?.id ?? '' })).toBe(true);
    expect(await useApiKey(env.db, hashToken(apiKey))).toBeUndefined();

    const second = await issueApiKey(env.db, { tenantId: tenant.id, name: 'ci' });
    expect(second.apiKey).not.toBe(apiKey);
    expect(await useApiKey(env.db, hashToken(second.apiKey))).toMatchObject({ tenantId: tenant.id });
  });
});

describe('connections and ad accounts', () => {
  it('one connection per tenant and platform', async () => {
    const tenant = await createTenant(env.db, { name: 'Acme' });
    const values = {
      tenant_id: tenant.id,
      provider: 'meta' as const,
      auth_method: 'oauth' as const,
      status: 'pending' as const,
    };
    await insertConnection(env.db, values);
    await expect(insertConnection(env.db, values)).rejects.toThrow(/connections_tenant_provider_key/);
  });

  it('discovery keeps selections; selection is scoped to the tenant', async () => {
    const tenant = await createTenant(env.db, { name: 'Acme' });
    const intruder = await createTenant(env.db, { name: 'Intruder' });
    const connection = await insertConnection(env.db, {
      tenant_id: tenant.id,
      provider: 'meta',
      auth_method: 'oauth',
      status: 'pending',
    });
    const owner = { tenantId: tenant.id, connectionId: connection.id, provider: 'meta' as const };
    const account = (id: string, name: string) => ({
      externalId: id,
      name,
      currency: 'USD',
      timezone: 'America/Los_Angeles',
      managerExternalId: null,
    });
    await upsertAdAccounts(env.db, owner, [account('act_1', 'One'), account('act_2', 'Two')], () => false);
    const selected = await setSelectedAdAccounts(env.db, { tenantId: tenant.id, connectionId: connection.id }, [
      'act_2',
    ]);
    expect(selected.map((row) => row.external_id)).toEqual(['act_2']);

    // Rediscovery renames and adds, but keeps act_2 selected and act_1 not.
    await upsertAdAccounts(
      env.db,
      owner,
      [account('act_1', 'One renamed'), account('act_2', 'Two'), account('act_3', 'Three')],
      () => true,
    );
    const rows = await listAdAccounts(env.db, { tenantId: tenant.id, connectionId: connection.id });
    expect(rows.map((row) => [row.external_id, row.name, row.selected])).toEqual([
      ['act_1', 'One renamed', false],
      ['act_3', 'Three', true],
      ['act_2', 'Two', true],
    ]);

    expect(await setSelectedAdAccounts(env.db, { tenantId: intruder.id, connectionId: connection.id }, [])).toEqual([]);
    expect((await listAdAccounts(env.db, { tenantId: tenant.id })).filter((row) => row.selected)).toHaveLength(2);
    expect(await listAdAccounts(env.db, { tenantId: intruder.id })).toEqual([]);
  });
});

describe('onboarding progress', () => {
  it('remembers skips per tenant and can clear them', async () => {
    const tenant = await createTenant(env.db, { name: 'Acme' });
    await setOnboardingStepSkipped(env.db, { tenantId: tenant.id, step: 'tiktok' }, true);
    await setOnboardingStepSkipped(env.db, { tenantId: tenant.id, step: 'google' }, true);
    await setOnboardingStepSkipped(env.db, { tenantId: tenant.id, step: 'google' }, false);
    expect(await skippedOnboardingSteps(env.db, tenant.id)).toEqual(['tiktok']);
  });
});
