// The control API at /_control, for tests, demos and chaos runs: inject failures and latency, make events
// poison, revoke and expire, move the clock, read what was recorded and the spend truth, reset.

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Faults } from '../core/faults.ts';
import { PLATFORM_IDS, type SimulatedPlatform, type SimulatorContext } from '../core/platform.ts';
import { spendAccountsOf } from '../seed/accounts.ts';
import { datesBetween } from '../spend/spend-model.ts';
import { spendCells } from '../spend/spend-truth.ts';

const platformId = z.enum(PLATFORM_IDS);

const failureBody = z.object({
  platform: platformId,
  route: z.string().min(1),
  count: z.number().int().min(1).default(1),
  status: z.number().int().min(100).max(599),
  body: z.unknown().default(null),
  headers: z.record(z.string(), z.string()).default({}),
});

const latencyBody = z.object({
  platform: platformId,
  route: z.string().min(1).default('*'),
  ms: z.number().int().min(0),
});
const rejectEventsBody = z.object({
  platform: z.enum(['meta', 'tiktok']),
  eventIds: z.array(z.string().min(1)).min(1).max(1000),
  message: z.string().min(1).optional(),
});
const selectorBody = z.object({ platform: platformId, token: z.string().optional() });
const spendQuery = z.object({
  platform: z.enum(['meta', 'google', 'tiktok']),
  account: z.string().min(1),
  from: z.iso.date(),
  to: z.iso.date(),
});

export function controlRoutes(context: SimulatorContext, faults: Faults, platforms: readonly SimulatedPlatform[]) {
  const platformById = (id: string) => platforms.find((platform) => platform.id === id);
  return async (app: FastifyInstance) => {
    app.setErrorHandler((error, _request, reply) => {
      const status = error instanceof z.ZodError ? 400 : ((error as { statusCode?: number }).statusCode ?? 500);
      const message = error instanceof Error ? error.message : String(error);
      return reply.status(status).send({ error: { code: 'control_error', message } });
    });

    app.post('/faults', async (request) => {
      const rule = failureBody.parse(request.body);
      faults.failNext({ ...rule, remaining: rule.count });
      return { ok: true };
    });

    app.post('/latency', async (request) => {
      faults.addLatency(latencyBody.parse(request.body));
      return { ok: true };
    });

    /**
     * Every later Conversions API / Events API batch holding one of these event ids is refused whole, as an
     * invalid event, until the rule is cleared.
     */
    app.post('/events/reject', async (request) => {
      const { platform, eventIds, message } = rejectEventsBody.parse(request.body);
      faults.rejectEvents({ platform, eventIds, ...(message === undefined ? {} : { message }) });
      return { ok: true };
    });

    /**
     * Drops every pending failure, latency and event rejection rule, and nothing else (grants, events and
     * counts stay).
     */
    app.post('/faults/clear', async () => {
      faults.reset();
      return { ok: true };
    });

    app.post('/revoke', async (request) => {
      const { platform, token } = selectorBody.parse(request.body);
      return { revoked: platformById(platform)?.control.revoke(token === undefined ? {} : { token }) ?? 0 };
    });

    app.post('/expire', async (request) => {
      const { platform, token } = selectorBody.parse(request.body);
      return { expired: platformById(platform)?.control.expireAccessTokens(token === undefined ? {} : { token }) ?? 0 };
    });

    app.post('/clock/advance', async (request) => {
      const { ms } = z.object({ ms: z.number().int().min(0) }).parse(request.body);
      context.clock.advance(ms);
      return { now: new Date(context.clock.now()).toISOString() };
    });

    app.get('/events', async (request) => {
      const query = z
        .object({
          platform: platformId.optional(),
          destination: z.string().optional(),
          eventId: z.string().optional(),
        })
        .parse(request.query);
      const filter = {
        ...(query.platform === undefined ? {} : { platform: query.platform }),
        ...(query.destination === undefined ? {} : { destination: query.destination }),
      };
      const events = context.recorder.events(filter);
      return {
        events:
          query.eventId === undefined ? events : events.filter((recorded) => recorded.event.event_id === query.eventId),
      };
    });

    app.get('/requests', async () => ({ counts: context.recorder.requestCounts() }));

    app.get('/spend', async (request, reply) => {
      const query = spendQuery.parse(request.query);
      const account = spendAccountsOf(query.platform).find((candidate) => candidate.id === query.account);
      if (account === undefined) {
        return reply
          .status(404)
          .send({ error: { code: 'not_found', message: `no ${query.platform} account ${query.account}` } });
      }
      const cells = spendCells(query.platform, account, datesBetween(query.from, query.to), context.clock.now());
      return { account: { id: account.id, currency: account.currency, timezone: account.timezone }, cells };
    });

    app.post('/reset', async () => {
      faults.reset();
      context.recorder.reset();
      for (const platform of platforms) platform.control.reset();
      return { ok: true };
    });

    app.post('/:platform/:action', async (request, reply) => {
      const { platform, action } = request.params as { platform: string; action: string };
      const run = platformById(platform)?.actions?.[action];
      if (run === undefined) {
        return reply.status(404).send({ error: { code: 'not_found', message: `no action ${platform}/${action}` } });
      }
      return { result: await run((request.body ?? {}) as Record<string, unknown>) };
    });
  };
}
