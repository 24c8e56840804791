// When each connection's credentials need attention next, and what kind, driven by what the platform's
// token answers actually contain (issue 5):
// - a refresh token and an expiring access token: TikTok's rotating model refreshes at half the token's
//   life (its 24 h token → every 12 h, so one missed run still leaves 12 h); Google and Klaviyo OAuth refresh
//   `marginMs` before expiry (a one-hour Google token at 50 minutes) — never before half its life, so a
//   token shortened to seconds does not refresh in a loop;
// - no refresh token (Meta, TikTok long-term, Klaviyo keys): a health check every `healthCheckIntervalMs`,
//   and, for a token that expires (Meta's 60 days), also at expiry, when it turns into needs_reauth.

export type CredentialAction = 'refresh' | 'health_check';

export interface CredentialState {
  provider: 'meta' | 'google' | 'tiktok' | 'klaviyo';
  /** When the current access token was issued (the last successful refresh or connect). */
  issuedAt: Date;
  accessTokenExpiresAt: Date | null;
  hasRefreshToken: boolean;
}

export interface RefreshTiming {
  marginMs: number;
  healthCheckIntervalMs: number;
}

export interface CredentialPlan {
  action: CredentialAction;
  at: Date;
}

/** When an expiring access token is due for renewal: TikTok's at half its life, the others `marginMs`
 * before expiry but never before half its life. */
export function refreshDueAt(
  state: Pick<CredentialState, 'provider' | 'issuedAt'>,
  expiresAt: number,
  timing: Pick<RefreshTiming, 'marginMs'>,
): number {
  const halfLife = state.issuedAt.getTime() + (expiresAt - state.issuedAt.getTime()) / 2;
  return state.provider === 'tiktok' ? halfLife : Math.max(halfLife, expiresAt - timing.marginMs);
}

export function planCredentials(state: CredentialState, timing: RefreshTiming, now: number): CredentialPlan {
  const expiresAt = state.accessTokenExpiresAt?.getTime();
  if (state.hasRefreshToken && expiresAt !== undefined) {
    return { action: 'refresh', at: new Date(refreshDueAt(state, expiresAt, timing)) };
  }
  const nextCheck = now + timing.healthCheckIntervalMs;
  return { action: 'health_check', at: new Date(expiresAt === undefined ? nextCheck : Math.min(nextCheck, expiresAt)) };
}

/** When a connection just authorized (connected, reconnected, a new key) gets its first refresh or check. */
export function firstCredentialCheckAt(
  credentials: { provider: CredentialState['provider']; accessTokenExpiresAt: Date | null; hasRefreshToken: boolean },
  timing: RefreshTiming,
  now: number,
): Date {
  return planCredentials({ ...credentials, issuedAt: new Date(now) }, timing, now).at;
}

/** The timing from an app's configuration (credentialTimingFields). */
export function refreshTimingFrom(config: {
  REFRESH_MARGIN_SECONDS: number;
  HEALTH_CHECK_INTERVAL_SECONDS: number;
}): RefreshTiming {
  return {
    marginMs: config.REFRESH_MARGIN_SECONDS * 1000,
    healthCheckIntervalMs: config.HEALTH_CHECK_INTERVAL_SECONDS * 1000,
  };
}

/** Days before expiry at which the brand is warned that a token which cannot be refreshed will lapse. */
export const EXPIRY_WARNING_DAYS = [14, 7, 3, 1] as const;

/**
 * The warning due now, if any: the smallest threshold the remaining time has crossed that has not been
 * sent yet (`sent` holds the thresholds already sent for this token).
 */
export function expiryWarningDue(expiresAt: Date | null, sent: readonly number[], now: number): number | undefined {
  if (expiresAt === null) return undefined;
  const daysLeft = (expiresAt.getTime() - now) / 86_400_000;
  if (daysLeft <= 0) return undefined;
  const crossed = EXPIRY_WARNING_DAYS.filter((days) => daysLeft <= days);
  const smallest = crossed.at(-1);
  return smallest === undefined || sent.includes(smallest) ? undefined : smallest;
}
