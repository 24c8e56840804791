// In-memory OAuth state of the simulated Google: pending authorization codes, refresh-token grants and the
// access tokens each grant issued. reset() forgets all of it.

import { revokeGrants } from '../core/grants.ts';
import { opaqueToken } from '../core/tokens.ts';

export interface GoogleGrant {
  refreshToken: string;
  clientId: string;
  scope: string;
  customerIds: string[];
  revoked: boolean;
}

export interface GoogleAccessToken {
  token: string;
  grant: GoogleGrant;
  expiresAt: number;
}

export interface GoogleCode {
  clientId: string;
  redirectUri: string;
  scope: string;
  customerIds: string[];
  accessType: string;
  promptConsent: boolean;
  codeChallenge?: string;
  codeChallengeMethod?: string;
}

export function createGoogleState() {
  const codes = new Map<string, GoogleCode>();
  const grants = new Map<string, GoogleGrant>();
  const accessTokens = new Map<string, GoogleAccessToken>();
  /** client ids the user already consented to: a second consent without prompt=consent gets no refresh token. */
  const consented = new Set<string>();
  /** Per-customer request counts in the current one-minute window. */
  const rateWindows = new Map<string, { window: number; count: number }>();

  function grantOf(token: string): GoogleGrant | undefined {
    return grants.get(token) ?? accessTokens.get(token)?.grant;
  }

  return {
    codes,
    consented,
    rateWindows,
    grantByRefreshToken: (token: string) => grants.get(token),
    accessToken: (token: string) => accessTokens.get(token),
    newGrant(code: GoogleCode): GoogleGrant {
      const grant: GoogleGrant = {
        refreshToken: opaqueToken('1//0g', 48),
        clientId: code.clientId,
        scope: code.scope,
        customerIds: code.customerIds,
        revoked: false,
      };
      grants.set(grant.refreshToken, grant);
      return grant;
    },
    issueAccessToken(grant: GoogleGrant, expiresAt: number): GoogleAccessToken {
      const issued = { token: opaqueToken('ya29.a0', 96), grant, expiresAt };
      accessTokens.set(issued.token, issued);
      return issued;
    },
    /** Revokes the grant behind a token (or every grant); returns how many grants died. */
    revoke(token?: string): number {
      return revokeGrants(token === undefined ? grants.values() : [grantOf(token)]);
    },
    expire(token: string | undefined, now: number): number {
      let count = 0;
      for (const issued of accessTokens.values()) {
        const matches = token === undefined || issued.token === token || issued.grant.refreshToken === token;
        if (matches && issued.expiresAt > now) {
          issued.expiresAt = now;
          count += 1;
        }
      }
      return count;
    },
    reset() {
      codes.clear();
      grants.clear();
      accessTokens.clear();
      consented.clear();
      rateWindows.clear();
    },
  };
}

export type GoogleState = ReturnType<typeof createGoogleState>;
