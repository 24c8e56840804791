// The simulated Meta: Facebook Login's dialog on the www host (/meta/www) and the Graph / Marketing API
// (/meta/graph, with or without a vNN.N prefix): tokens, ad accounts, Insights sync and async, the
// Conversions API, Graph's error envelope and usage headers on every Graph response.

import type { FastifyError, FastifyInstance } from 'fastify';
import type { SimulatedPlatform, SimulatorContext } from '../core/platform.ts';
import { META_ACCOUNTS } from '../seed/accounts.ts';
import { metaAccountRoutes } from './meta.accounts.route.ts';
import { errorEnvelope, META_CODES, META_SUBCODES, MetaError, unsupportedRequest } from './meta.errors.ts';
import { metaEventsRoutes } from './meta.events.route.ts';
import { createMetaGuard } from './meta.guard.ts';
import { metaInsightsRoutes } from './meta.insights.route.ts';
import { metaOauthRoutes } from './meta.oauth.route.ts';
import { releaseRun } from './meta.report-runs.ts';
import { createMetaState, type RunFate } from './meta.state.ts';

const GRAPH_PATH = /^\/meta\/graph(\/|$|\?)/;

function countOf(body: Record<string, unknown>): number {
  const count = body.count === undefined ? 1 : Number(body.count);
  if (!Number.isInteger(count) || count < 1) throw new Error('count must be a positive integer');
  return count;
}

export function createMetaPlatform(context: SimulatorContext): SimulatedPlatform {
  const state = createMetaState();
  const guard = createMetaGuard(context, state);
  const queueFates = (fate: RunFate) => (body: Record<string, unknown>) => {
    state.queueFates(fate, countOf(body));
    return { queued: countOf(body) };
  };

  return {
    id: 'meta',

    async routes(app: FastifyInstance) {
      app.setErrorHandler((error: FastifyError, _request, reply) => {
        if (error instanceof MetaError) {
          return reply
            .status(error.details.status ?? 400)
            .headers(error.details.headers ?? {})
            .send(errorEnvelope(error));
        }
        // Bodies the framework rejects (bad JSON, unknown content type) are parameter errors on Graph too.
        if (error.statusCode !== undefined && error.statusCode < 500) {
          return reply.status(400).send(errorEnvelope(new MetaError(META_CODES.parameter, `(#100) ${error.message}`)));
        }
        return reply
          .status(500)
          .send(
            errorEnvelope(
              new MetaError(META_CODES.unknown, 'An unknown error has occurred.', { type: 'OAuthException' }),
            ),
          );
      });
      app.setNotFoundHandler(async (request, reply) => {
        const segments = (request.url.split('?')[0] ?? '').split('/').filter(Boolean);
        if (segments[1] !== 'graph')
          return reply.status(404).type('text/html; charset=utf-8').send('<h1>Page Not Found</h1>');
        // An unknown path on Graph is a node that does not exist (or an edge it does not have).
        const node = segments.slice(2).find((segment) => !/^v\d{1,2}\.\d$/.test(segment)) ?? '';
        throw unsupportedRequest(request.method, node);
      });
      app.addHook('preHandler', async (request, reply) => {
        if (GRAPH_PATH.test(request.url)) guard.countAppCall(reply);
      });
      app.addHook('onSend', async (request, reply, payload) => {
        if (GRAPH_PATH.test(request.url)) reply.header('x-app-usage', guard.appUsageHeader());
        return payload;
      });
      await metaOauthRoutes(context, state)(app);
      await metaAccountRoutes(state, guard)(app);
      await metaInsightsRoutes(context, state, guard)(app);
      await metaEventsRoutes(context, guard)(app);
    },

    control: {
      revoke: ({ token }) => state.revoke(token, META_SUBCODES.appNotInstalled),
      expireAccessTokens: ({ token }) => state.expire(token, context.clock.now()),
      reset: () => state.reset(),
    },

    actions: {
      /**
       * A dialog code as if the person had approved, for scripts that skip the page:
       * `{redirect_uri, accounts?, scope?}` (every account and ads_read,ads_management by default).
       */
      authorize(body) {
        if (typeof body.redirect_uri !== 'string') throw new Error('redirect_uri is required');
        const known = META_ACCOUNTS.map((account) => account.id);
        const accounts = Array.isArray(body.accounts) ? body.accounts.map(String) : known;
        const unknown = accounts.find((id) => !known.includes(id));
        if (unknown !== undefined) throw new Error(`${unknown} is not a simulated Meta ad account`);
        const scope = typeof body.scope === 'string' ? body.scope : 'ads_read,ads_management';
        const code = state.issueCode(
          { redirectUri: body.redirect_uri, accountIds: accounts, scopes: ['public_profile', ...scope.split(',')] },
          context.clock.now(),
        );
        return { code };
      },
      /** `{token?}`: the session ends as when the person changes their password (error 190/460). */
      'invalidate-session': ({ token }) => ({
        invalidated: state.revoke(typeof token === 'string' ? token : undefined, META_SUBCODES.sessionInvalidated),
      }),
      /** `{count?}`: the next report runs stall at 37% until released. */
      'stall-report-runs': queueFates('stall'),
      /** `{count?}`: the next report runs end in "Job Failed". */
      'fail-report-runs': queueFates('fail'),
      /** Lets every stalled run go on to completion. */
      'release-report-runs'() {
        let released = 0;
        for (const run of state.runs()) {
          if (releaseRun(run, context.clock.now(), context.options.meta.asyncRunMilliseconds)) released += 1;
        }
        return { released };
      },
    },
  };
}
