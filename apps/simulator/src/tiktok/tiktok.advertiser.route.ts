// `GET /advertiser/info/`: details of authorized advertisers, with the optional `fields` selection.

import type { FastifyInstance } from 'fastify';
import type { SimulatorContext } from '../core/platform.ts';
import { type SimulatedAccount, TIKTOK_ADVERTISERS } from '../seed/accounts.ts';
import { regionByCode } from '../spend/regions.ts';
import { jsonArrayParam, success, TIKTOK_CODES, TikTokError } from './tiktok.envelope.ts';
import type { TikTokGuard } from './tiktok.guard.ts';

/** advertiser/info accepts at most 100 ids per call (code 40011 beyond). */
const MAX_IDS = 100;

/** The seed accounts were all created on the same (fixed) day, so `create_time` is stable across runs. */
const CREATE_TIME = Math.floor(Date.parse('2024-03-01T00:00:00Z') / 1000);

function advertiserInfo(advertiser: SimulatedAccount): Record<string, unknown> {
  const firstRegion = advertiser.regions[0];
  return {
    advertiser_id: advertiser.id,
    name: advertiser.name,
    currency: advertiser.currency,
    // Both carry the IANA zone the account reports in. The real `timezone` may be an `Etc/GMT±N` form
    // (unverified); `display_timezone` is the name a client should compute report days with.
    timezone: advertiser.timezone,
    display_timezone: advertiser.timezone,
    status: 'STATUS_ENABLE',
    role: 'ROLE_ADVERTISER',
    balance: 0,
    company: 'Acme Inc.',
    country: firstRegion === undefined ? '' : regionByCode(firstRegion).country,
    create_time: CREATE_TIME,
  };
}

const FIELDS = Object.keys(advertiserInfo(TIKTOK_ADVERTISERS[0] as SimulatedAccount));

export function tiktokAdvertiserRoutes(context: SimulatorContext, guard: TikTokGuard) {
  return async (app: FastifyInstance) => {
    app.get('/open_api/v1.3/advertiser/info/', async (request) => {
      const token = guard.token(request);
      const ids = jsonArrayParam(request.query, 'advertiser_ids');
      if (ids === undefined || ids.length === 0) {
        throw new TikTokError(TIKTOK_CODES.parameterError, 'advertiser_ids: Missing data for required field.');
      }
      if (ids.length > MAX_IDS) {
        throw new TikTokError(TIKTOK_CODES.tooManyIds, `advertiser_ids: Length must be between 1 and ${MAX_IDS}.`);
      }
      const fields = jsonArrayParam(request.query, 'fields');
      const unknown = fields?.find((field) => !FIELDS.includes(field));
      if (unknown !== undefined) {
        throw new TikTokError(TIKTOK_CODES.parameterError, `fields: Invalid field ${unknown}.`);
      }
      const list = ids.map((id) => {
        guard.advertiser(token, id);
        const advertiser = TIKTOK_ADVERTISERS.find((candidate) => candidate.id === id);
        if (advertiser === undefined) throw new Error(`granted advertiser ${id} is not seeded`);
        const info = advertiserInfo(advertiser);
        return fields === undefined ? info : Object.fromEntries(fields.map((field) => [field, info[field]]));
      });
      return success(context.clock.now(), { list });
    });
  };
}
