// What the fleet works on during a chaos run, set up the way brands set it up:
// - a storefront brand with Meta and TikTok connected through the gateway's real OAuth flow and a pixel on
//   each as event destinations (the event load posts to it);
// - a brand with every ad account of Meta, Google and TikTok selected for spend (backfills run during the run);
// - connections of Google, TikTok (rotating refresh tokens) and Klaviyo (OAuth) with 40-second access tokens,
//   so each refreshes several times while processes die around it.

import { type ConnectionKey, connectForTest, type PlatformClients } from '@adsync/connections';
import type { Keyring } from '@adsync/crypto';
import { type AdAccount, createTenantWithKey, type Db, listConnections } from '@adsync/db';
import { api, connectByHttp } from '@adsync/gateway/testing/connect-client';
import { connectSpendAccounts } from '@adsync/spend/testing';

export const META_PIXEL = '2000000000000001'; // reached through act_1000000001
export const TIKTOK_PIXEL = 'CADSYNCTESTPIXEL01';

export interface ChaosWorld {
  storefront: { tenantId: string; apiKey: string };
  spendBrand: { tenantId: string; apiKey: string };
  spendAccounts: AdAccount[];
  refreshing: ConnectionKey[];
}

async function addDestinations(gatewayUrl: string, db: Db, brand: { tenantId: string; apiKey: string }) {
  await connectByHttp(gatewayUrl, brand.apiKey, 'meta', { accounts: ['act_1000000001'] });
  await connectByHttp(gatewayUrl, brand.apiKey, 'tiktok', { accounts: ['7000000000000000005'] });
  const connections = await listConnections(db, brand.tenantId);
  for (const [provider, pixelId] of [
    ['meta', META_PIXEL],
    ['tiktok', TIKTOK_PIXEL],
  ] as const) {
    const connectionId = connections.find((row) => row.provider === provider)?.id;
    const answer = await api(gatewayUrl, brand.apiKey, 'POST', '/v1/events/destinations', {
      provider,
      pixelId,
      connectionId,
    });
    if (answer.status !== 201) throw new Error(`adding the ${provider} destination: ${JSON.stringify(answer.body)}`);
  }
}

export async function seedChaosWorld(options: {
  db: Db;
  gatewayUrl: string;
  platforms: PlatformClients;
  keyring: Keyring;
  refreshingPerPlatform: number;
}): Promise<ChaosWorld> {
  const { db, keyring, platforms } = options;
  const storefront = await createTenantWithKey(db, { name: 'Chaos storefront', keyName: 'chaos' });
  const storefrontBrand = { tenantId: storefront.tenant.id, apiKey: storefront.apiKey };
  await addDestinations(options.gatewayUrl, db, storefrontBrand);

  const spend = await createTenantWithKey(db, { name: 'Chaos spend', keyName: 'chaos' });
  const spendAccounts: AdAccount[] = [];
  for (const provider of ['meta', 'google', 'tiktok'] as const) {
    const connected = await connectSpendAccounts(db, platforms, provider, { keyring, tenantId: spend.tenant.id });
    spendAccounts.push(...connected.accounts);
  }

  const refreshing: ConnectionKey[] = [];
  for (const provider of ['google', 'tiktok', 'klaviyo'] as const) {
    for (let index = 0; index < options.refreshingPerPlatform; index += 1) {
      const { connection } = await connectForTest(db, platforms, provider, { keyring });
      refreshing.push({ tenantId: connection.tenant_id, connectionId: connection.id });
    }
  }
  return {
    storefront: storefrontBrand,
    spendBrand: { tenantId: spend.tenant.id, apiKey: spend.apiKey },
    spendAccounts,
    refreshing,
  };
}

/** Asks the gateway for a backfill of every spend account, as a brand admin would; returns the jobs queued. */
export async function requestBackfills(gatewayUrl: string, world: ChaosWorld, days: number): Promise<number> {
  let jobs = 0;
  for (const account of world.spendAccounts) {
    const answer = await api(gatewayUrl, world.spendBrand.apiKey, 'POST', `/v1/ad-accounts/${account.id}/backfill`, {
      days,
    });
    if (answer.status !== 202) throw new Error(`backfill of ${account.external_id}: ${JSON.stringify(answer.body)}`);
    jobs += (answer.body.jobs as unknown[]).length;
  }
  return jobs;
}
