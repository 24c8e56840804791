import { describe, expect, it } from 'vitest';
import { expiryWarningDue, planCredentials } from './refresh-policy.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const timing = { marginMs: 10 * 60_000, healthCheckIntervalMs: DAY };
const now = Date.parse('2026-11-21T12:00:00Z');

describe('planCredentials', () => {
  it('Google: a one-hour token renews ten minutes before expiry', () => {
    const plan = planCredentials(
      {
        provider: 'google',
        issuedAt: new Date(now),
        accessTokenExpiresAt: new Date(now + HOUR),
        hasRefreshToken: true,
      },
      timing,
      now,
    );
    expect(plan).toEqual({ action: 'refresh', at: new Date(now + 50 * 60_000) });
  });

  it('TikTok rotating: a 24-hour token renews every 12 hours', () => {
    const plan = planCredentials(
      { provider: 'tiktok', issuedAt: new Date(now), accessTokenExpiresAt: new Date(now + DAY), hasRefreshToken: true },
      timing,
      now,
    );
    expect(plan).toEqual({ action: 'refresh', at: new Date(now + 12 * HOUR) });
  });

  it('a token shortened to seconds still renews before it expires', () => {
    const plan = planCredentials(
      {
        provider: 'klaviyo',
        issuedAt: new Date(now),
        accessTokenExpiresAt: new Date(now + 4_000),
        hasRefreshToken: true,
      },
      timing,
      now,
    );
    expect(plan.at.getTime()).toBe(now + 2_000);
  });

  it('Meta: a daily health check, and one at expiry when that comes first', () => {
    const far = planCredentials(
      {
        provider: 'meta',
        issuedAt: new Date(now),
        accessTokenExpiresAt: new Date(now + 60 * DAY),
        hasRefreshToken: false,
      },
      timing,
      now,
    );
    expect(far).toEqual({ action: 'health_check', at: new Date(now + DAY) });
    const soon = planCredentials(
      {
        provider: 'meta',
        issuedAt: new Date(now),
        accessTokenExpiresAt: new Date(now + 5 * HOUR),
        hasRefreshToken: false,
      },
      timing,
      now,
    );
    expect(soon).toEqual({ action: 'health_check', at: new Date(now + 5 * HOUR) });
  });

  it('TikTok long-term and Klaviyo keys: a periodic health check', () => {
    expect(
      planCredentials(
        { provider: 'tiktok', issuedAt: new Date(now), accessTokenExpiresAt: null, hasRefreshToken: false },
        timing,
        now,
      ),
    ).toEqual({ action: 'health_check', at: new Date(now + DAY) });
  });
});

describe('expiryWarningDue', () => {
  const expires = new Date(now + 10 * DAY);
  it('warns once per threshold, at the smallest one crossed', () => {
    expect(expiryWarningDue(expires, [], now)).toBe(14);
    expect(expiryWarningDue(expires, [14], now)).toBeUndefined();
    expect(expiryWarningDue(expires, [14], now + 4 * DAY)).toBe(7);
    // A check that comes late (2.5 days left) sends the 3-day warning, not a stale 7-day one.
    expect(expiryWarningDue(expires, [14], now + 7.5 * DAY)).toBe(3);
    expect(expiryWarningDue(expires, [14, 7, 3], now + 9.5 * DAY)).toBe(1);
    expect(expiryWarningDue(expires, [14, 7, 3, 1], now + 9.9 * DAY)).toBeUndefined();
  });
  it('says nothing for tokens without expiry, far from it, or already expired', () => {
    expect(expiryWarningDue(null, [], now)).toBeUndefined();
    expect(expiryWarningDue(new Date(now + 30 * DAY), [], now)).toBeUndefined();
    expect(expiryWarningDue(new Date(now - 1), [], now)).toBeUndefined();
  });
});
