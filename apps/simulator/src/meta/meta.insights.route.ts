// Ad account nodes and their Insights: `GET act_{id}/insights` answers at once, `POST` starts an async
// report run, and `GET {report_run_id}` / `GET {report_run_id}/insights` poll it and read its rows.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimulatorContext } from '../core/platform.ts';
import { accountFields } from './meta.accounts.route.ts';
import { META_CODES, MetaError, unsupportedRequest } from './meta.errors.ts';
import { graphParams, graphRoute, paginate } from './meta.graph.ts';
import type { MetaGuard } from './meta.guard.ts';
import { insightsRows, parseInsightsQuery } from './meta.insights.ts';
import { drawFate, runNode, runProgress } from './meta.report-runs.ts';
import type { MetaState } from './meta.state.ts';

/** Insights pages hold 25 rows unless `limit` asks for more (capped, as Graph caps it). */
const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 5_000;

function nodeOf(request: FastifyRequest): string {
  return (request.params as { node: string }).node;
}

function isAccount(node: string): boolean {
  return /^act_\d+$/.test(node);
}

export function metaInsightsRoutes(context: SimulatorContext, state: MetaState, guard: MetaGuard) {
  const runMilliseconds = () => context.options.meta.asyncRunMilliseconds;

  /** The run, if the token's grant covers its account; counted as an Insights call on that account. */
  const reportRun = (request: FastifyRequest, reply: FastifyReply, id: string) => {
    const token = guard.user(request);
    const run = state.run(id);
    if (run === undefined || !token.grant.accountIds.includes(run.accountId)) {
      throw unsupportedRequest(request.method, id);
    }
    return { run, account: guard.adAccount(request, reply, token, run.accountId, 'ads_insights') };
  };

  return async (app: FastifyInstance) => {
    graphRoute(app, 'GET', '/:node', async (request, reply) => {
      const node = nodeOf(request);
      if (isAccount(node)) {
        const token = guard.user(request);
        const account = guard.adAccount(request, reply, token, node, 'ads_management');
        const fields = graphParams(request).fields;
        const requested = typeof fields === 'string' && fields !== '' ? fields.split(',').map((f) => f.trim()) : ['id'];
        return accountFields(account, requested);
      }
      const { run } = reportRun(request, reply, node);
      const progress = runProgress(run, context.clock.now(), runMilliseconds());
      const full = runNode(run, progress);
      const fields = graphParams(request).fields;
      if (typeof fields !== 'string' || fields === '') return full;
      const picked: Record<string, unknown> = { id: run.id };
      for (const field of fields.split(',').map((f) => f.trim())) {
        if (field in full) picked[field] = full[field];
      }
      return picked;
    });

    graphRoute(app, 'GET', '/:node/insights', async (request, reply) => {
      const node = nodeOf(request);
      const now = context.clock.now();
      if (isAccount(node)) {
        const token = guard.user(request);
        const account = guard.adAccount(request, reply, token, node, 'ads_insights');
        const query = parseInsightsQuery(graphParams(request), account, now);
        return paginate(request, insightsRows(account, query, now), DEFAULT_LIMIT, MAX_LIMIT);
      }
      const { run, account } = reportRun(request, reply, node);
      const progress = runProgress(run, now, runMilliseconds());
      if (progress.status === 'Job Failed') {
        throw new MetaError(-2, 'Async job failed', { subcode: 2490547 });
      }
      if (progress.status !== 'Job Completed') {
        throw new MetaError(
          META_CODES.parameter,
          `(#100) The report run ${run.id} has not completed yet (${progress.status}, ${progress.percent}%). Poll it until async_status is Job Completed.`,
        );
      }
      run.rows ??= insightsRows(account, run.query, run.createdAt);
      return paginate(request, run.rows, DEFAULT_LIMIT, MAX_LIMIT);
    });

    graphRoute(app, 'POST', '/:node/insights', async (request, reply) => {
      const node = nodeOf(request);
      if (!isAccount(node)) throw unsupportedRequest('POST', node);
      const token = guard.user(request);
      const account = guard.adAccount(request, reply, token, node, 'ads_insights');
      const now = context.clock.now();
      const query = parseInsightsQuery(graphParams(request), account, now);
      const run = state.createRun(node, query, now, drawFate(context.options.meta, Math.random()));
      return { report_run_id: run.id };
    });
  };
}
