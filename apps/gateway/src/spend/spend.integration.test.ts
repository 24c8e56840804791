// The Spend API over HTTP: totals by day, account and region and an account's hours, from stored rows;
// only the caller's own spend; clear 400s that change nothing; backfills in chunks, most recent first;
// the tenant's lookback windows. Connecting an account starts its first syncs the same way.

import { createTenantWithKey, listAdAccounts, listConnections, writeSpendRows } from '@adsync/db';
import { createQueueProducer } from '@adsync/queues';
import { expect, it } from 'vitest';
import { api, connectByHttp } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const testbed = useGatewayWithSimulator({ environment: { SPEND_BACKFILL_CHUNK_DAYS: '10' } });
const { env } = testbed;

/** A brand with one TikTok account (UTC) connected through the real flow. */
async function brandWithAccount(name: string) {
  const { tenant, apiKey } = await createTenantWithKey(env.db, { name, keyName: 'test' });
  await connectByHttp(testbed.gateway.url, apiKey, 'tiktok', { accounts: ['7000000000000000005'] });
  const [connection] = await listConnections(env.db, tenant.id);
  const [account] = await listAdAccounts(env.db, { tenantId: tenant.id });
  if (connection === undefined || account === undefined) throw new Error('the connection was not stored');
  return { tenant, apiKey, connection, account };
}

async function restateJobs(adAccountId: string) {
  const producer = createQueueProducer({ connection: env.redis, prefix: env.queuePrefix });
  try {
    const jobs = await producer.queue('spend-nightly').getJobs(['waiting', 'prioritized', 'delayed']);
    return jobs
      .filter((job) => job.data.adAccountId === adAccountId)
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((job) => ({ from: job.data.from as string, to: job.data.to as string, reason: job.data.reason as string }));
  } finally {
    await producer.close();
  }
}

it('serves totals by day, account and region, and an account’s hours, from stored rows', async () => {
  const brand = await brandWithAccount('spend reader');
  const write = (grain: 'day' | 'hour' | 'region', rows: Parameters<typeof writeSpendRows>[1]['rows']) =>
    writeSpendRows(env.db, {
      tenantId: brand.tenant.id,
      provider: 'tiktok',
      adAccountId: brand.account.id,
      currency: 'EUR',
      from: '2026-11-01',
      to: '2026-11-02',
      grain,
      rows,
    });
  const row = (date: string, spend: bigint, extra: { hour?: number; region?: string } = {}) => ({
    date,
    hour: extra.hour ?? null,
    region: extra.region ?? null,
    spendMicros: spend,
    impressions: 100,
    clicks: 3,
  });
  await write('day', [row('2026-11-01', 9_007_199_254_740_993n), row('2026-11-02', 2_500_000n)]);
  await write('hour', [row('2026-11-01', 1_000_000n, { hour: 0 }), row('2026-11-01', 2_000_000n, { hour: 13 })]);
  await write('region', [
    row('2026-11-01', 1_500_000n, { region: '2634895' }),
    row('2026-11-02', 500_000n, { region: '2634895' }),
  ]);

  const url = testbed.gateway.url;
  const daily = await api(url, brand.apiKey, 'GET', '/v1/spend/daily?from=2026-11-01&to=2026-11-02');
  expect(daily.status).toBe(200);
  expect(daily.body.days).toEqual([
    {
      date: '2026-11-01',
      provider: 'tiktok',
      spendMicros: '9007199254740993',
      currency: 'EUR',
      impressions: '100',
      clicks: '3',
    },
    {
      date: '2026-11-02',
      provider: 'tiktok',
      spendMicros: '2500000',
      currency: 'EUR',
      impressions: '100',
      clicks: '3',
    },
  ]);
  const accounts = await api(url, brand.apiKey, 'GET', '/v1/spend/accounts?from=2026-11-01&to=2026-11-02');
  expect(accounts.body.accounts).toEqual([
    expect.objectContaining({
      adAccountId: brand.account.id,
      externalId: '7000000000000000005',
      spendMicros: '9007199257240993',
    }),
  ]);
  const regions = await api(
    url,
    brand.apiKey,
    'GET',
    '/v1/spend/regions?from=2026-11-01&to=2026-11-02&provider=tiktok',
  );
  expect(regions.body.regions).toEqual([expect.objectContaining({ region: '2634895', spendMicros: '2000000' })]);
  const hourly = await api(
    url,
    brand.apiKey,
    'GET',
    `/v1/spend/hourly?adAccountId=${brand.account.id}&from=2026-11-01&to=2026-11-01`,
  );
  expect(hourly.body).toMatchObject({ timezone: 'UTC' });
  expect((hourly.body.hours as { hour: number }[]).map((hour) => hour.hour)).toEqual([0, 13]);

  // Another brand sees none of it, and cannot name this brand's account.
  const other = await createTenantWithKey(env.db, { name: 'spend other', keyName: 'test' });
  const foreign = await api(url, other.apiKey, 'GET', '/v1/spend/daily?from=2026-11-01&to=2026-11-02');
  expect(foreign.body.days).toEqual([]);
  const foreignHours = await api(
    url,
    other.apiKey,
    'GET',
    `/v1/spend/hourly?adAccountId=${brand.account.id}&from=2026-11-01&to=2026-11-01`,
  );
  expect(foreignHours.status).toBe(404);
  expect(foreignHours.body.error?.code).toBe('ad_account_not_found');
});

it('answers bad queries with 400 invalid_request naming the field', async () => {
  const brand = await brandWithAccount('spend validation');
  const url = testbed.gateway.url;
  for (const [query, field] of [
    ['from=2026-13-01', 'from'],
    ['from=2026-11-05&to=2026-11-01', 'from'],
    ['from=2024-01-01&to=2026-11-01', 'from'],
    ['provider=myspace', 'provider'],
    ['unknown=1', 'query'],
  ] as const) {
    const answer = await api(url, brand.apiKey, 'GET', `/v1/spend/daily?${query}`);
    expect(answer.status, query).toBe(400);
    expect(answer.body.error?.code).toBe('invalid_request');
    expect(answer.body.error?.message).toContain(field);
  }
  expect((await api(url, brand.apiKey, 'GET', '/v1/spend/daily')).status).toBe(200);
  const noAuth = await fetch(`${url}/v1/spend/daily`);
  expect(noAuth.status).toBe(401);
});

it('connecting starts a 30-day backfill in chunks, most recent first; the API backfills on demand', async () => {
  const brand = await brandWithAccount('spend backfill');
  const today = new Date().toISOString().slice(0, 10);
  const first = await restateJobs(brand.account.id);
  expect(first).toHaveLength(3);
  expect(first[0]?.to).toBe(today);
  expect(first.every((job) => job.reason === 'backfill')).toBe(true);
  expect(first.map((job) => job.from)).toEqual([...first.map((job) => job.from)].sort().reverse());

  const url = testbed.gateway.url;
  const backfill = await api(url, brand.apiKey, 'POST', `/v1/ad-accounts/${brand.account.id}/backfill`, { days: 95 });
  expect(backfill.status).toBe(202);
  const jobs = backfill.body.jobs as { from: string; to: string }[];
  expect(jobs).toHaveLength(10);
  expect(jobs[0]?.to).toBe(today);
  expect((jobs.at(-1)?.to ?? '') < (jobs[0]?.from ?? '')).toBe(true);
  // The 30 days already queued are not queued twice (same account and range).
  const queued = await restateJobs(brand.account.id);
  expect(queued.length).toBeGreaterThanOrEqual(10);

  const refused = [
    await api(url, brand.apiKey, 'POST', `/v1/ad-accounts/${brand.account.id}/backfill`, { days: 0 }),
    await api(url, brand.apiKey, 'POST', `/v1/ad-accounts/${brand.account.id}/backfill`, { days: 5000 }),
    await api(url, brand.apiKey, 'POST', `/v1/ad-accounts/${brand.account.id}/backfill`, {}),
  ];
  expect(refused.map((answer) => answer.status)).toEqual([400, 400, 400]);
  const other = await createTenantWithKey(env.db, { name: 'backfill other', keyName: 'test' });
  const foreign = await api(url, other.apiKey, 'POST', `/v1/ad-accounts/${brand.account.id}/backfill`, { days: 5 });
  expect(foreign.status).toBe(404);
  expect((await restateJobs(brand.account.id)).length).toBe(queued.length);
});

it('keeps each tenant’s own lookback windows, falling back to the defaults', async () => {
  const brand = await brandWithAccount('spend settings');
  const url = testbed.gateway.url;
  const initial = await api(url, brand.apiKey, 'GET', '/v1/spend/settings');
  expect(initial.body.lookbackDays).toEqual({
    meta: { days: 28, custom: false },
    google: { days: 14, custom: false },
    tiktok: { days: 3, custom: false },
  });
  const changed = await api(url, brand.apiKey, 'PUT', '/v1/spend/settings', { lookbackDays: { tiktok: 7 } });
  expect(changed.body.lookbackDays).toMatchObject({
    tiktok: { days: 7, custom: true },
    meta: { days: 28, custom: false },
  });
  const invalid = await api(url, brand.apiKey, 'PUT', '/v1/spend/settings', { lookbackDays: { tiktok: 400 } });
  expect(invalid.status).toBe(400);
  expect(invalid.body.error?.message).toContain('lookbackDays.tiktok');
  expect((await api(url, brand.apiKey, 'GET', '/v1/spend/settings')).body.lookbackDays).toMatchObject({
    tiktok: { days: 7, custom: true },
  });
});
