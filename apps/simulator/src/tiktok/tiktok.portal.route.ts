// The advertiser authorization page (`/portal/auth`, and the older `/marketing_api/auth`): the consent
// form, then a redirect to the app's redirect_uri with a 1-hour single-use `auth_code`.

import type { FastifyInstance, FastifyReply } from 'fastify';
import { grantedAccounts, renderConsentPage } from '../core/consent-page.ts';
import type { SimulatorContext } from '../core/platform.ts';
import { TIKTOK_ADVERTISERS } from '../seed/accounts.ts';
import { queryValue } from './tiktok.envelope.ts';
import { TIKTOK_SCOPES, type TikTokApp, type TikTokState } from './tiktok.state.ts';

interface AuthorizationRequest {
  app: TikTokApp;
  /** As the client sent it: the form carries it through unchanged, never re-serialized. */
  rawRedirectUri: string;
  redirectUri: URL;
  state: string | undefined;
}

/** The portal shows a page, not the API envelope, when the link itself is wrong. */
function badLink(reply: FastifyReply, message: string) {
  return reply
    .status(400)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><title>TikTok for Business</title><p>Authorization failed: ${message}</p>`);
}

function authorizationRequest(state: TikTokState, source: unknown): AuthorizationRequest | string {
  const app = state.appById(queryValue(source, 'app_id') ?? '');
  if (app === undefined) return 'the app_id is invalid.';
  const raw = queryValue(source, 'redirect_uri') ?? '';
  let redirectUri: URL;
  try {
    redirectUri = new URL(raw);
  } catch {
    return 'the redirect_uri is missing or not an absolute URL.';
  }
  if (redirectUri.protocol !== 'http:' && redirectUri.protocol !== 'https:') {
    return 'the redirect_uri must be an http(s) URL.';
  }
  return { app, rawRedirectUri: raw, redirectUri, state: queryValue(source, 'state') };
}

export function tiktokPortalRoutes(context: SimulatorContext, state: TikTokState) {
  return async (app: FastifyInstance) => {
    for (const path of ['/portal/auth', '/marketing_api/auth']) {
      app.get(path, async (request, reply) => {
        const authorization = authorizationRequest(state, request.query);
        if (typeof authorization === 'string') return badLink(reply, authorization);
        const hidden: Record<string, string> = {
          app_id: authorization.app.appId,
          redirect_uri: authorization.rawRedirectUri,
        };
        if (authorization.state !== undefined) hidden.state = authorization.state;
        const page = renderConsentPage({
          platformName: 'TikTok for Business',
          appName: authorization.app.name,
          scopes: TIKTOK_SCOPES.map((scope) => scope.name),
          accounts: TIKTOK_ADVERTISERS.map((advertiser) => ({
            id: advertiser.id,
            name: advertiser.name,
            detail: `${advertiser.currency} · ${advertiser.timezone}`,
          })),
          // Relative, so the form posts back to whichever of the two paths served it.
          action: path.slice(path.lastIndexOf('/') + 1),
          hidden,
        });
        return reply.type('text/html; charset=utf-8').send(page);
      });

      app.post(path, async (request, reply) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        const authorization = authorizationRequest(state, body);
        if (typeof authorization === 'string') return badLink(reply, authorization);
        const target = new URL(authorization.redirectUri);
        if (body.decision !== 'approve') {
          // providers.md does not document a denial redirect. We follow the OAuth 2.0 convention that
          // TikTok's own Login Kit uses: no auth_code, `error=access_denied` plus a description, and
          // `state` kept so the client can match the attempt.
          target.searchParams.set('error', 'access_denied');
          target.searchParams.set('error_description', 'The advertiser denied the authorization request.');
        } else {
          const known = new Set(TIKTOK_ADVERTISERS.map((advertiser) => advertiser.id));
          const advertiserIds = [...new Set(grantedAccounts(body))].filter((id) => known.has(id));
          if (advertiserIds.length === 0) return badLink(reply, 'select at least one advertiser account.');
          const code = state.issueAuthCode(authorization.app, advertiserIds, context.clock.now());
          target.searchParams.set('auth_code', code);
          // providers.md §3.1: the callback repeats the code as `code` (duplicate parameter, unverified).
          target.searchParams.set('code', code);
        }
        if (authorization.state !== undefined) target.searchParams.set('state', authorization.state);
        return reply.redirect(target.toString(), 302);
      });
    }
  };
}
