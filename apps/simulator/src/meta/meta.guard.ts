// The checks Graph calls go through: the user access token (query, form, JSON body or Authorization
// header) with error 190 and its subcodes, `appsecret_proof`, access to an ad account, and Business Use
// Case throttling with the usage headers (providers.md §1.2, §1.5).

import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SimulatorContext } from '../core/platform.ts';
import { META_ACCOUNTS, type SimulatedAccount } from '../seed/accounts.ts';
import { META_APP } from '../seed/apps.ts';
import { META_CODES, META_SUBCODES, MetaError, unsupportedRequest } from './meta.errors.ts';
import { graphParams } from './meta.graph.ts';
import type { MetaState, MetaToken } from './meta.state.ts';

export type BusinessUseCase = 'ads_insights' | 'ads_management';

const THROTTLE: Record<BusinessUseCase, { code: number; message: string }> = {
  ads_insights: {
    code: META_CODES.adsInsightsThrottled,
    message:
      '(#80000) There have been too many calls from this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-insights.',
  },
  ads_management: {
    code: META_CODES.adsManagementThrottled,
    message:
      '(#80004) There have been too many calls to this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-management.',
  },
};
const APP_USAGE_KEY = 'app';

/** Graph's date in error 190/463: "Friday, 21-Nov-26 10:00:00 PST" (we print UTC). */
function sessionDate(instant: number): string {
  const date = new Date(instant);
  const weekday = date.toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
  const day = String(date.getUTCDate()).padStart(2, '0');
  const month = date.toLocaleDateString('en-US', { month: 'short', timeZone: 'UTC' });
  const year = String(date.getUTCFullYear()).slice(2);
  return `${weekday}, ${day}-${month}-${year} ${date.toISOString().slice(11, 19)} UTC`;
}

function percent(count: number, limit: number): number {
  return Math.floor((count * 100) / limit);
}

function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header);
    if (match?.[1] !== undefined) return match[1].trim();
  }
  const value = graphParams(request).access_token;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Why a token no longer works, as error 190 says it; undefined while it is valid. */
export function tokenProblem(record: MetaToken, now: number): MetaError | undefined {
  if (record.grant.revoked) {
    return record.grant.revokedSubcode === META_SUBCODES.sessionInvalidated
      ? new MetaError(
          META_CODES.accessToken,
          'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
          { subcode: META_SUBCODES.sessionInvalidated },
        )
      : new MetaError(
          META_CODES.accessToken,
          `Error validating access token: The user has not authorized application ${META_APP.appId}.`,
          { subcode: META_SUBCODES.appNotInstalled },
        );
  }
  if (now >= record.expiresAt) {
    return new MetaError(
      META_CODES.accessToken,
      `Error validating access token: Session has expired on ${sessionDate(record.expiresAt)}. The current time is ${sessionDate(now)}.`,
      { subcode: META_SUBCODES.tokenExpired },
    );
  }
  return undefined;
}

export function invalidTokenError(): MetaError {
  return new MetaError(META_CODES.accessToken, 'Invalid OAuth access token - Cannot parse access token');
}

export function createMetaGuard(context: SimulatorContext, state: MetaState) {
  const options = () => context.options.meta;

  return {
    /** Counts the call against the app's hourly budget; past it, error 4 (providers.md §1.5). */
    countAppCall(reply: FastifyReply): void {
      const now = context.clock.now();
      const { count } = state.usage(APP_USAGE_KEY, now);
      const limit = options().callsPerAppPerHour;
      if (count >= limit) {
        reply.header(
          'x-app-usage',
          JSON.stringify({ call_count: percent(count, limit), total_cputime: 0, total_time: 0 }),
        );
        throw new MetaError(META_CODES.applicationLimit, '(#4) Application request limit reached', {
          type: 'OAuthException',
        });
      }
      state.countCall(APP_USAGE_KEY, now);
    },

    /** The X-App-Usage header every Graph response carries. */
    appUsageHeader(): string {
      const { count } = state.usage(APP_USAGE_KEY, context.clock.now());
      const usage = percent(count, options().callsPerAppPerHour);
      return JSON.stringify({
        call_count: usage,
        total_cputime: Math.floor(usage / 2),
        total_time: Math.floor(usage / 2),
      });
    },

    /** The caller's valid user token, or the error Graph gives for it. */
    user(request: FastifyRequest): MetaToken {
      const value = presentedToken(request);
      if (value === undefined) {
        throw new MetaError(META_CODES.accessTokenRequired, 'An access token is required to request this resource.');
      }
      const record = state.token(value);
      if (record === undefined) throw invalidTokenError();
      const problem = tokenProblem(record, context.clock.now());
      if (problem !== undefined) throw problem;
      const proof = graphParams(request).appsecret_proof;
      if (proof !== undefined) {
        const expected = createHmac('sha256', META_APP.appSecret).update(value).digest('hex');
        if (proof !== expected) {
          throw new MetaError(META_CODES.parameter, 'Invalid appsecret_proof provided in the API argument', {
            type: 'GraphMethodException',
          });
        }
      }
      return record;
    },

    /**
     * The ad account, if the token's grant shared it and carries an ads permission, counted against the
     * account's Business Use Case budget. Usage headers go on the reply either way.
     */
    adAccount(
      request: FastifyRequest,
      reply: FastifyReply,
      token: MetaToken,
      accountId: string,
      useCase: BusinessUseCase,
    ): SimulatedAccount {
      const account = META_ACCOUNTS.find((candidate) => candidate.id === accountId);
      if (account === undefined || !token.grant.accountIds.includes(accountId)) {
        throw unsupportedRequest(request.method, accountId);
      }
      if (!token.grant.scopes.includes('ads_read') && !token.grant.scopes.includes('ads_management')) {
        throw new MetaError(
          META_CODES.permission,
          '(#200) Ad account owner has NOT grant ads_management or ads_read permission',
          { type: 'OAuthException' },
        );
      }
      const now = context.clock.now();
      const key = `${accountId}|${useCase}`;
      const { count, oldestLeavesAt } = state.usage(key, now);
      const limit = options().callsPerAccountPerHour;
      const throttled = count >= limit;
      if (!throttled) state.countCall(key, now);
      const used = percent(throttled ? count : count + 1, limit);
      const regainMinutes = throttled ? Math.max(1, Math.ceil((oldestLeavesAt - now) / 60_000)) : 0;
      const numericId = accountId.slice('act_'.length);
      reply.header(
        'x-business-use-case-usage',
        JSON.stringify({
          [numericId]: [
            {
              type: useCase,
              call_count: used,
              total_cputime: Math.floor(used / 2),
              total_time: Math.floor(used / 2),
              estimated_time_to_regain_access: regainMinutes,
              ads_api_access_tier: 'standard_access',
            },
          ],
        }),
      );
      reply.header(
        'x-ad-account-usage',
        JSON.stringify({
          acc_id_util_pct: used,
          reset_time_duration: throttled ? Math.ceil((oldestLeavesAt - now) / 1000) : 0,
          ads_api_access_tier: 'standard_access',
        }),
      );
      if (throttled) {
        throw new MetaError(THROTTLE[useCase].code, THROTTLE[useCase].message, {
          subcode: META_SUBCODES.throttled,
          userTitle: 'Ad Account Has Too Many API Calls',
          userMessage: 'There have been too many calls from this ad-account. Please wait a bit and try again.',
        });
      }
      return account;
    },
  };
}

export type MetaGuard = ReturnType<typeof createMetaGuard>;
