// In-memory TikTok grants: auth codes, access and refresh tokens per grant, and the per-second request
// counters behind code 40100. `reset()` forgets all of it; the seed apps and advertisers stay.

import { revokeGrants } from '../core/grants.ts';
import { hexToken } from '../core/tokens.ts';
import { TIKTOK_APPS } from '../seed/apps.ts';

export type TikTokApp = (typeof TIKTOK_APPS)[number];

/** Permission ids returned in the token response's `scope`; the id → name mapping is unverified. */
export const TIKTOK_SCOPES = [
  { id: 1, name: 'Ad Account Management' },
  { id: 2, name: 'Ads Management' },
  { id: 3, name: 'Audience Management' },
  { id: 4, name: 'Reporting' },
  { id: 5, name: 'Pixel Management' },
] as const;

/** One advertiser authorization: what the consent page approved for one app. */
export interface Grant {
  app: TikTokApp;
  advertiserIds: readonly string[];
  scope: readonly number[];
  revoked: boolean;
  /**
   * Rotating app only. The refresh token's year counts from the authorization, not from the last refresh:
   * providers.md §3.1 "must refresh daily; after a year → re-authorize".
   */
  refreshExpiresAt: number | null;
}

export interface AccessTokenRecord {
  token: string;
  grant: Grant;
  /** null: the long-term model, which has no expiry timer. */
  expiresAt: number | null;
}

interface AuthCodeRecord {
  app: TikTokApp;
  advertiserIds: readonly string[];
  expiresAt: number;
  used: boolean;
}

interface RefreshTokenRecord {
  grant: Grant;
  /** When a newer refresh token replaced it (rotation makes the old one invalid at once). */
  supersededAt: number | null;
}

/** Auth codes are valid for 1 hour and single use (providers.md §3.1). */
const AUTH_CODE_MS = 3_600_000;

export interface IssuedTokens {
  access: AccessTokenRecord;
  refreshToken: string | undefined;
}

export interface TikTokState {
  appById(appId: string): TikTokApp | undefined;
  issueAuthCode(app: TikTokApp, advertiserIds: readonly string[], now: number): string;
  /** The code's grant request, consumed; undefined when unknown, used, expired or for another app. */
  redeemAuthCode(app: TikTokApp, code: string, now: number): AuthCodeRecord | undefined;
  createGrant(app: TikTokApp, advertiserIds: readonly string[], now: number): IssuedTokens;
  accessToken(token: string): AccessTokenRecord | undefined;
  refreshToken(token: string): RefreshTokenRecord | undefined;
  /** New access + new refresh token for the grant; the presented refresh token stops working. */
  rotate(presented: string, now: number): IssuedTokens;
  revoke(token: string | undefined): number;
  expire(token: string | undefined, now: number): number;
  /** Counts a request in the current second of the simulated clock and returns the count so far. */
  countRequest(key: string, now: number): number;
  reset(): void;
}

export function createTikTokState(options: { accessTokenSeconds: number; refreshTokenSeconds: number }): TikTokState {
  let authCodes = new Map<string, AuthCodeRecord>();
  let accessTokens = new Map<string, AccessTokenRecord>();
  let refreshTokens = new Map<string, RefreshTokenRecord>();
  let grants: Grant[] = [];
  let counters = new Map<string, { second: number; count: number }>();

  const issue = (grant: Grant, now: number): IssuedTokens => {
    const rotating = grant.app.tokenModel === 'rotating';
    const access: AccessTokenRecord = {
      token: hexToken(),
      grant,
      expiresAt: rotating ? now + options.accessTokenSeconds * 1000 : null,
    };
    accessTokens.set(access.token, access);
    if (!rotating) return { access, refreshToken: undefined };
    const refreshToken = hexToken();
    refreshTokens.set(refreshToken, { grant, supersededAt: null });
    return { access, refreshToken };
  };

  const grantOf = (token: string): Grant | undefined =>
    accessTokens.get(token)?.grant ?? refreshTokens.get(token)?.grant;

  return {
    appById: (appId) => TIKTOK_APPS.find((app) => app.appId === appId),

    issueAuthCode(app, advertiserIds, now) {
      const code = hexToken();
      authCodes.set(code, { app, advertiserIds, expiresAt: now + AUTH_CODE_MS, used: false });
      return code;
    },

    redeemAuthCode(app, code, now) {
      const record = authCodes.get(code);
      if (record === undefined || record.used || now >= record.expiresAt || record.app.appId !== app.appId) {
        return undefined;
      }
      record.used = true;
      return record;
    },

    createGrant(app, advertiserIds, now) {
      const grant: Grant = {
        app,
        advertiserIds,
        scope: TIKTOK_SCOPES.map((scope) => scope.id),
        revoked: false,
        refreshExpiresAt: app.tokenModel === 'rotating' ? now + options.refreshTokenSeconds * 1000 : null,
      };
      grants.push(grant);
      return issue(grant, now);
    },

    accessToken: (token) => accessTokens.get(token),
    refreshToken: (token) => refreshTokens.get(token),

    rotate(presented, now) {
      const record = refreshTokens.get(presented);
      if (record === undefined) throw new Error('rotate() needs a known refresh token');
      record.supersededAt = now;
      return issue(record.grant, now);
    },

    revoke(token) {
      return revokeGrants(token === undefined ? grants : [grantOf(token)]);
    },

    expire(token, now) {
      // An access token selects itself; a refresh token selects every access token of its grant.
      const single = token === undefined ? undefined : accessTokens.get(token);
      const grant = token === undefined || single !== undefined ? undefined : refreshTokens.get(token)?.grant;
      if (token !== undefined && single === undefined && grant === undefined) return 0;
      let count = 0;
      for (const record of single === undefined ? accessTokens.values() : [single]) {
        if (grant !== undefined && record.grant !== grant) continue;
        // Long-term tokens have no expiry timer on the real platform, so there is nothing to expire.
        if (record.expiresAt === null || record.expiresAt <= now) continue;
        record.expiresAt = now;
        count += 1;
      }
      return count;
    },

    countRequest(key, now) {
      const second = Math.floor(now / 1000);
      const counter = counters.get(key);
      if (counter === undefined || counter.second !== second) {
        counters.set(key, { second, count: 1 });
        return 1;
      }
      counter.count += 1;
      return counter.count;
    },

    reset() {
      authCodes = new Map();
      accessTokens = new Map();
      refreshTokens = new Map();
      grants = [];
      counters = new Map();
    },
  };
}
