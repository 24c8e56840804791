// The tenant's Spend API: totals and series by day, platform, account, hour and region for the admin page;
// the sync runs and restatements behind them; backfills and the tenant's lookback windows. Every read is
// scoped to the caller's tenant. Amounts are integer micros as strings (JSON numbers cannot hold them).

import {
  findSpendAccount,
  listSpendRestatements,
  listSyncRuns,
  PROVIDERS,
  SPEND_PROVIDERS,
  type SpendTotal,
  setSpendLookbacks,
  spendByAccount,
  spendByDay,
  spendByHour,
  spendByRegion,
  spendLookbacks,
} from '@adsync/db';
import { AppError } from '@adsync/errors';
import { addDays, enqueueBackfill, MAX_BACKFILL_DAYS } from '@adsync/spend';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { GatewayDeps } from '../gateway-deps.ts';
import { parseInput } from '../http/validation.ts';
import { requireTenant, tenantOf } from '../tenants/tenant-auth.ts';

const MAX_RANGE_DAYS = 400;
const MAX_HOURLY_DAYS = 31;
const date = z.iso.date();

const rangeQuery = z
  .strictObject({
    from: date.optional(),
    to: date.optional(),
    provider: z.enum(PROVIDERS).optional(),
    adAccountId: z.uuid().optional(),
  })
  .transform((query) => {
    const to = query.to ?? new Date().toISOString().slice(0, 10);
    return { ...query, to, from: query.from ?? addDays(to, -29) };
  })
  .refine((query) => query.from <= query.to, { message: 'from must not be after to', path: ['from'] })
  .refine((query) => query.from >= addDays(query.to, -(MAX_RANGE_DAYS - 1)), {
    message: `a range covers at most ${MAX_RANGE_DAYS} days`,
    path: ['from'],
  });

const hourlyQuery = z
  .strictObject({ adAccountId: z.uuid(), from: date, to: date })
  .refine((query) => query.from <= query.to, { message: 'from must not be after to', path: ['from'] })
  .refine((query) => query.from >= addDays(query.to, -(MAX_HOURLY_DAYS - 1)), {
    message: `hourly spend covers at most ${MAX_HOURLY_DAYS} days`,
    path: ['from'],
  });

const listQuery = z.strictObject({
  adAccountId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const backfillBody = z.strictObject({ days: z.number().int().min(1).max(MAX_BACKFILL_DAYS) });
const lookbackDays = z.number().int().min(1).max(90);
const settingsBody = z.strictObject({
  lookbackDays: z.strictObject({
    meta: lookbackDays.optional(),
    google: lookbackDays.optional(),
    tiktok: lookbackDays.optional(),
  }),
});

function money(total: SpendTotal) {
  return {
    spendMicros: total.spendMicros.toString(),
    currency: total.currency,
    impressions: total.impressions.toString(),
    clicks: total.clicks.toString(),
  };
}

/** The tenant's lookback per platform: its own where set, else the fleet's default. */
async function lookbacksOf(deps: GatewayDeps, tenantId: string) {
  const own = (await spendLookbacks(deps.db, [tenantId])).get(tenantId) ?? {};
  const defaults = {
    meta: deps.config.SPEND_LOOKBACK_META_DAYS,
    google: deps.config.SPEND_LOOKBACK_GOOGLE_DAYS,
    tiktok: deps.config.SPEND_LOOKBACK_TIKTOK_DAYS,
  };
  return Object.fromEntries(
    SPEND_PROVIDERS.map((provider) => [
      provider,
      { days: own[provider] ?? defaults[provider], custom: provider in own },
    ]),
  );
}

export function spendRoutes(deps: GatewayDeps) {
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', requireTenant(deps));
    const filter = (request: FastifyRequest) => {
      const query = parseInput(rangeQuery, request.query, 'query');
      return { ...query, tenantId: tenantOf(request).tenantId };
    };

    app.get('/v1/spend/daily', async (request) => {
      const query = filter(request);
      const days = await spendByDay(deps.db, query);
      return {
        from: query.from,
        to: query.to,
        days: days.map((day) => ({ date: day.date, provider: day.provider, ...money(day) })),
      };
    });

    app.get('/v1/spend/accounts', async (request) => {
      const query = filter(request);
      const accounts = await spendByAccount(deps.db, query);
      return {
        from: query.from,
        to: query.to,
        accounts: accounts.map((account) => ({
          adAccountId: account.adAccountId,
          externalId: account.externalId,
          name: account.name,
          provider: account.provider,
          ...money(account),
        })),
      };
    });

    app.get('/v1/spend/regions', async (request) => {
      const query = filter(request);
      const regions = await spendByRegion(deps.db, query);
      return {
        from: query.from,
        to: query.to,
        regions: regions.map((region) => ({ provider: region.provider, region: region.region, ...money(region) })),
      };
    });

    app.get('/v1/spend/hourly', async (request) => {
      const query = parseInput(hourlyQuery, request.query, 'query');
      const { tenantId } = tenantOf(request);
      const found = await findSpendAccount(deps.db, { tenantId, adAccountId: query.adAccountId });
      if (found === undefined) {
        throw new AppError('ad_account_not_found', 'No ad account with this id belongs to you.', { status: 404 });
      }
      const hours = await spendByHour(deps.db, { tenantId, ...query });
      return {
        adAccountId: query.adAccountId,
        timezone: found.account.timezone,
        hours: hours.map((hour) => ({ date: hour.date, hour: hour.hour, ...money(hour) })),
      };
    });

    app.get('/v1/spend/sync-runs', async (request) => {
      const query = parseInput(listQuery, request.query, 'query');
      const runs = await listSyncRuns(deps.db, { tenantId: tenantOf(request).tenantId, ...query });
      return {
        runs: runs.map((run) => ({
          id: run.id,
          adAccountId: run.ad_account_id,
          provider: run.provider,
          kind: run.kind,
          from: run.range_start,
          to: run.range_end,
          status: run.status,
          rowsWritten: run.rows_written,
          durationMs: run.duration_ms,
          errorCode: run.error_code,
          errorMessage: run.error_message,
          startedAt: run.started_at.toISOString(),
          finishedAt: run.finished_at?.toISOString() ?? null,
        })),
      };
    });

    app.get('/v1/spend/restatements', async (request) => {
      const query = parseInput(listQuery.omit({ adAccountId: true }), request.query, 'query');
      const rows = await listSpendRestatements(deps.db, { tenantId: tenantOf(request).tenantId, limit: query.limit });
      return {
        restatements: rows.map((row) => ({
          adAccountId: row.ad_account_id,
          provider: row.provider,
          date: row.date,
          previousMicros: row.previous_micros.toString(),
          restatedMicros: row.restated_micros.toString(),
          currency: row.currency,
          recordedAt: row.recorded_at.toISOString(),
        })),
      };
    });

    app.post('/v1/ad-accounts/:id/backfill', async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!z.uuid().safeParse(id).success) {
        throw new AppError('ad_account_not_found', 'No ad account with this id belongs to you.', { status: 404 });
      }
      const body = parseInput(backfillBody, request.body, 'body');
      const ranges = await enqueueBackfill(deps, {
        tenantId: tenantOf(request).tenantId,
        adAccountId: id,
        days: body.days,
        chunkDays: deps.config.SPEND_BACKFILL_CHUNK_DAYS,
      });
      return reply.status(202).send({ adAccountId: id, days: body.days, jobs: ranges });
    });

    app.get('/v1/spend/settings', async (request) => ({
      lookbackDays: await lookbacksOf(deps, tenantOf(request).tenantId),
    }));

    app.put('/v1/spend/settings', async (request) => {
      const body = parseInput(settingsBody, request.body, 'body');
      const { tenantId } = tenantOf(request);
      await setSpendLookbacks(deps.db, tenantId, body.lookbackDays);
      return { lookbackDays: await lookbacksOf(deps, tenantId) };
    });
  };
}
