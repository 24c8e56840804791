// Facebook Login's manual flow (providers.md §1.1): the dialog on the www host, the code exchange and the
// short- to long-lived exchange on oauth/access_token, and debug_token. Meta has no refresh tokens.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { grantedAccounts, renderConsentPage } from '../core/consent-page.ts';
import type { SimulatorContext } from '../core/platform.ts';
import { META_ACCOUNTS } from '../seed/accounts.ts';
import { META_APP } from '../seed/apps.ts';
import { META_CODES, META_SUBCODES, MetaError, parameterError } from './meta.errors.ts';
import { type GraphParams, graphParams, graphRoute } from './meta.graph.ts';
import { invalidTokenError, tokenProblem } from './meta.guard.ts';
import type { MetaGrant, MetaState, MetaToken } from './meta.state.ts';

/** Permissions the dialog knows; anything else is an "Invalid Scopes" error shown to the developer. */
const KNOWN_SCOPES = new Set([
  'public_profile',
  'email',
  'ads_read',
  'ads_management',
  'business_management',
  'read_insights',
  'pages_show_list',
  'pages_read_engagement',
  'pages_manage_ads',
  'catalog_management',
  'leads_retrieval',
  'instagram_basic',
]);
const FORWARDED = ['client_id', 'redirect_uri', 'state', 'scope', 'response_type', 'auth_type'] as const;
/** Permissions lapse after 90 days without use (`data_access_expires_at`). */
const DATA_ACCESS_SECONDS = 90 * 24 * 3600;

type DialogParams = Partial<Record<(typeof FORWARDED)[number], string>>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function dialogParams(source: unknown): DialogParams {
  const record = (source ?? {}) as Record<string, unknown>;
  const params: DialogParams = {};
  for (const name of FORWARDED) {
    const value = text(record[name]);
    if (value !== undefined) params[name] = value;
  }
  return params;
}

function scopesOf(params: DialogParams): string[] {
  return (params.scope ?? '')
    .split(/[,\s]+/)
    .map((scope) => scope.trim())
    .filter(Boolean);
}

/** Problems Facebook shows on its own page instead of redirecting: they concern the app, not the user. */
function dialogProblem(params: DialogParams): string | undefined {
  if (params.client_id !== META_APP.appId)
    return 'Invalid App ID: The provided app ID does not look like a valid app ID.';
  if (!/^https?:\/\/[^\s]+$/.test(params.redirect_uri ?? '')) {
    return "URL Blocked: This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings.";
  }
  if ((params.response_type ?? 'code') !== 'code') {
    return `The simulated dialog supports response_type=code (the server-side flow), not ${params.response_type}.`;
  }
  const invalid = scopesOf(params).filter((scope) => !KNOWN_SCOPES.has(scope));
  if (invalid.length > 0) return `Invalid Scopes: ${invalid.join(', ')}. This message is only shown to developers.`;
  return undefined;
}

function dialogError(reply: FastifyReply, message: string) {
  return reply
    .status(400)
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><title>Error</title><h1>Sorry, something went wrong.</h1><p>${message.replace(/[<>&]/g, '')}</p>`,
    );
}

/** Facebook appends `#_=_` to the redirect after the dialog. */
function redirectTo(base: string, query: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
  url.hash = '_=_';
  return url.toString();
}

function appCredentials(params: GraphParams): void {
  if (params.client_id !== META_APP.appId) {
    throw new MetaError(META_CODES.invalidApplication, 'Error validating application. Invalid application ID.');
  }
  if (params.client_secret !== META_APP.appSecret) {
    throw new MetaError(META_CODES.unknown, 'Error validating client secret.');
  }
}

function tokenResponse(record: MetaToken, now: number) {
  return {
    access_token: record.token,
    token_type: 'bearer',
    expires_in: Math.round((record.expiresAt - now) / 1000),
  };
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

function debugData(record: MetaToken, now: number): Record<string, unknown> {
  const { grant } = record;
  const targetIds = grant.accountIds.map((id) => id.slice('act_'.length));
  const problem = tokenProblem(record, now);
  return {
    app_id: META_APP.appId,
    type: 'USER',
    application: META_APP.name,
    data_access_expires_at: seconds(grant.grantedAt) + DATA_ACCESS_SECONDS,
    expires_at: seconds(record.expiresAt),
    is_valid: problem === undefined,
    issued_at: seconds(record.issuedAt),
    scopes: [...grant.scopes],
    granular_scopes: grant.scopes
      .filter((scope) => scope !== 'public_profile')
      .map((scope) => (scope.startsWith('ads_') ? { scope, target_ids: targetIds } : { scope })),
    user_id: grant.userId,
    ...(problem === undefined
      ? {}
      : { error: { code: problem.code, message: problem.message, subcode: problem.details.subcode } }),
  };
}

export function metaOauthRoutes(context: SimulatorContext, state: MetaState) {
  const options = () => context.options.meta;

  return async (app: FastifyInstance) => {
    for (const path of ['/www/dialog/oauth', '/www/:version/dialog/oauth']) {
      app.get(path, async (request, reply) => {
        const params = dialogParams(request.query);
        const problem = dialogProblem(params);
        if (problem !== undefined) return dialogError(reply, problem);
        const hidden: Record<string, string> = {};
        for (const [name, value] of Object.entries(params)) hidden[name] = value;
        return reply.type('text/html; charset=utf-8').send(
          renderConsentPage({
            platformName: 'Facebook',
            appName: META_APP.name,
            scopes: scopesOf(params),
            accounts: META_ACCOUNTS.map((account) => ({
              id: account.id,
              name: account.name,
              detail: `${account.currency} · ${account.timezone}`,
            })),
            action: request.url.split('?')[0] ?? `/meta${path}`,
            hidden,
          }),
        );
      });

      app.post(path, async (request, reply) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        const params = dialogParams(body);
        const problem = dialogProblem(params);
        if (problem !== undefined) return dialogError(reply, problem);
        const redirectUri = params.redirect_uri ?? '';
        if (body.decision !== 'approve') {
          return reply.redirect(
            redirectTo(redirectUri, {
              error: 'access_denied',
              error_code: '200',
              error_description: 'Permissions error',
              error_reason: 'user_denied',
              state: params.state,
            }),
          );
        }
        const known = new Set(META_ACCOUNTS.map((account) => account.id));
        const code = state.issueCode(
          {
            redirectUri,
            accountIds: grantedAccounts(body).filter((id) => known.has(id)),
            scopes: ['public_profile', ...scopesOf(params).filter((scope) => scope !== 'public_profile')],
          },
          context.clock.now(),
        );
        return reply.redirect(redirectTo(redirectUri, { code, state: params.state }));
      });
    }

    const accessToken = async (request: FastifyRequest) => {
      const params = graphParams(request);
      appCredentials(params);
      const now = context.clock.now();
      if (params.grant_type === 'fb_exchange_token') {
        const presented = text(params.fb_exchange_token);
        if (presented === undefined) throw parameterError('The parameter fb_exchange_token is required');
        const record = state.token(presented);
        if (record === undefined) throw invalidTokenError();
        const problem = tokenProblem(record, now);
        if (problem !== undefined) throw problem;
        return tokenResponse(state.issueToken(record.grant, 'long-lived', now, options().longLivedTokenSeconds), now);
      }
      if (params.grant_type === 'client_credentials') {
        return { access_token: `${META_APP.appId}|${META_APP.appSecret}`, token_type: 'bearer' };
      }
      const codeValue = text(params.code);
      if (codeValue === undefined) throw parameterError('The parameter code is required');
      const code = state.code(codeValue);
      if (code === undefined) throw parameterError('Invalid verification code format.');
      if (code.used) {
        throw parameterError('This authorization code has been used.', { subcode: META_SUBCODES.codeUsed });
      }
      if (now >= code.expiresAt) {
        throw parameterError('This authorization code has expired.', { subcode: META_SUBCODES.codeExpired });
      }
      if (params.redirect_uri !== code.redirectUri) {
        throw parameterError(
          'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
          { subcode: META_SUBCODES.redirectMismatch },
        );
      }
      const grant: MetaGrant = state.createGrant(code, now);
      return tokenResponse(state.issueToken(grant, 'short-lived', now, options().shortLivedTokenSeconds), now);
    };
    graphRoute(app, 'GET', '/oauth/access_token', accessToken);
    graphRoute(app, 'POST', '/oauth/access_token', accessToken);

    graphRoute(app, 'GET', '/debug_token', async (request) => {
      const params = graphParams(request);
      const caller =
        text(params.access_token) ?? text(request.headers.authorization?.replace(/^(Bearer|OAuth)\s+/i, ''));
      if (caller === undefined) {
        throw new MetaError(META_CODES.accessTokenRequired, 'An access token is required to request this resource.');
      }
      const now = context.clock.now();
      const appToken = caller === `${META_APP.appId}|${META_APP.appSecret}`;
      const callerRecord = appToken ? undefined : state.token(caller);
      if (!appToken && (callerRecord === undefined || tokenProblem(callerRecord, now) !== undefined)) {
        throw invalidTokenError();
      }
      const input = text(params.input_token);
      if (input === undefined) throw parameterError('The parameter input_token is required');
      const record = state.token(input);
      if (record === undefined) {
        return {
          data: {
            error: { code: META_CODES.accessToken, message: 'Invalid OAuth access token.' },
            is_valid: false,
            scopes: [],
          },
        };
      }
      return { data: debugData(record, now) };
    });
  };
}
