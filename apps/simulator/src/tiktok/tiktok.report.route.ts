// `GET /report/integrated/get/`: reads the query (JSON-encoded arrays), checks the token's access to the
// advertiser, and answers with the report built from the spend truth.

import type { FastifyInstance } from 'fastify';
import type { SimulatorContext } from '../core/platform.ts';
import { TIKTOK_ADVERTISERS } from '../seed/accounts.ts';
import { jsonArrayParam, queryValue, requiredString, success } from './tiktok.envelope.ts';
import type { TikTokGuard } from './tiktok.guard.ts';
import { integratedReport } from './tiktok.report.ts';

function integer(value: string | undefined, fallback: number): number {
  return value === undefined || value === '' ? fallback : Number(value);
}

export function tiktokReportRoutes(context: SimulatorContext, guard: TikTokGuard) {
  return async (app: FastifyInstance) => {
    app.get('/open_api/v1.3/report/integrated/get/', async (request) => {
      const token = guard.token(request);
      const query = request.query;
      const advertiserId = requiredString(query, 'advertiser_id');
      guard.advertiser(token, advertiserId);
      const advertiser = TIKTOK_ADVERTISERS.find((candidate) => candidate.id === advertiserId);
      if (advertiser === undefined) throw new Error(`granted advertiser ${advertiserId} is not seeded`);
      const data = integratedReport(
        advertiser,
        {
          reportType: requiredString(query, 'report_type'),
          dataLevel: queryValue(query, 'data_level'),
          serviceType: queryValue(query, 'service_type'),
          dimensions: jsonArrayParam(query, 'dimensions') ?? [],
          metrics: jsonArrayParam(query, 'metrics') ?? [],
          startDate: queryValue(query, 'start_date'),
          endDate: queryValue(query, 'end_date'),
          page: integer(queryValue(query, 'page'), 1),
          pageSize: integer(queryValue(query, 'page_size'), 10),
          enableTotalMetrics: queryValue(query, 'enable_total_metrics') === 'true',
        },
        context.clock.now(),
      );
      return success(context.clock.now(), data);
    });
  };
}
