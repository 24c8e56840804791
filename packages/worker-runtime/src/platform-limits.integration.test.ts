// The fleet-wide limiter reacting to the platforms: a throttle pauses only the scope it names, usage
// reports past 75 % slow a scope down before the platform throttles, and the app scope pauses everything.

import { DEFAULT_RATE_LIMITS } from '@adsync/config';
import { useTestEnvironment } from '@adsync/testing';
import { describe, expect, it } from 'vitest';
import { createPlatformLimiter, pauseForUsage, scopesFor } from './platform-limits.ts';
import { createRateLimiter } from './rate-limiter.ts';

const env = useTestEnvironment();

function limiterFor(prefix: string) {
  const rateLimiter = createRateLimiter(env.redis, `${env.queuePrefix}:${prefix}`);
  return { rateLimiter, platform: createPlatformLimiter(rateLimiter, DEFAULT_RATE_LIMITS) };
}

const call = (account: string) => ({ provider: 'meta', endpoint: 'insights', account });

describe('platform signals', () => {
  it('a throttle on one ad account pauses that account only', async () => {
    const { platform } = limiterFor('account');
    await platform.throttled(call('act_1'), 60_000, 'account');
    expect(await platform.before(call('act_1'), 50)).toBe(false);
    expect(await platform.before(call('act_2'), 50)).toBe(true);
  });

  it('an app-wide throttle pauses every account', async () => {
    const { platform } = limiterFor('app');
    await platform.throttled(call('act_1'), 60_000, 'app');
    expect(await platform.before(call('act_1'), 50)).toBe(false);
    expect(await platform.before(call('act_2'), 50)).toBe(false);
  });

  it('a throttle of a scope without a budget of ours still pauses it (TikTok budgets per endpoint)', async () => {
    const { platform } = limiterFor('unbudgeted');
    const report = (advertiser: string) => ({ provider: 'tiktok', endpoint: 'report', account: advertiser });
    await platform.throttled(report('7001'), 60_000, 'app');
    expect(await platform.before(report('7002'), 50)).toBe(false);
    expect(await platform.before({ provider: 'tiktok', endpoint: 'token' }, 50)).toBe(false);
    expect(await platform.before(call('act_1'), 50)).toBe(true);
  });

  it('a pause ends when the platform said it would', async () => {
    const { platform } = limiterFor('short');
    await platform.throttled(call('act_1'), 300, 'account');
    expect(await platform.before(call('act_1'), 0)).toBe(false);
    expect(await platform.before(call('act_1'), 2_000)).toBe(true);
  });

  it('a later, shorter pause never shortens a longer one', async () => {
    const { platform } = limiterFor('longest');
    await platform.throttled(call('act_1'), 60_000, 'account');
    await platform.throttled(call('act_1'), 10, 'account');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await platform.before(call('act_1'), 50)).toBe(false);
  });

  it('usage reports slow a scope down from 75 % and stop it at the regain time', async () => {
    const { platform } = limiterFor('usage');
    await platform.usage(call('act_1'), { scope: 'account', percentUsed: 50 });
    expect(await platform.before(call('act_1'), 0)).toBe(true);
    await platform.usage(call('act_1'), { scope: 'account', percentUsed: 97 });
    expect(await platform.before(call('act_1'), 50)).toBe(false);
    expect(await platform.before(call('act_2'), 50)).toBe(true);
    await platform.usage(call('act_3'), { scope: 'app', percentUsed: 10, regainAccessInMs: 30_000 });
    expect(await platform.before(call('act_2'), 50)).toBe(false);
  });
});

describe('Klaviyo tiers: burst and steady windows per account endpoint', () => {
  const klaviyo = (account: string, endpoint: string) => ({ provider: 'klaviyo_xs', endpoint, account });

  it('counts a call in both windows of its account endpoint, and no other', async () => {
    const key = 'klaviyo_xs:account:A:endpoint:accounts';
    const counted = scopesFor(DEFAULT_RATE_LIMITS, klaviyo('A', 'accounts')).filter((scope) => scope.limit >= 0);
    expect(counted).toEqual([
      { key, limit: 1, windowMs: 1_000 },
      { key, limit: 12, windowMs: 60_000 },
    ]);
    const { platform } = limiterFor('klaviyo-windows');
    // XS at 80 %: 1 call per second, 12 per minute.
    expect(await platform.before(klaviyo('A', 'accounts'), 0)).toBe(true);
    expect(await platform.before(klaviyo('A', 'accounts'), 0)).toBe(false);
    expect(await platform.before(klaviyo('A', 'lists'), 0)).toBe(true);
    expect(await platform.before(klaviyo('B', 'accounts'), 0)).toBe(true);
  });

  it('a throttle pauses that account endpoint only', async () => {
    const { platform } = limiterFor('klaviyo-throttle');
    await platform.throttled(klaviyo('A', 'lists'), 60_000, 'accountEndpoint');
    expect(await platform.before(klaviyo('A', 'lists'), 50)).toBe(false);
    expect(await platform.before(klaviyo('A', 'segments'), 50)).toBe(true);
    expect(await platform.before(klaviyo('B', 'lists'), 50)).toBe(true);
  });
});

describe('pauseForUsage', () => {
  it('is zero below 75 %, grows to a minute at 100 %, and follows a regain time', () => {
    expect(pauseForUsage({ scope: 'account', percentUsed: 74 })).toBe(0);
    expect(pauseForUsage({ scope: 'account', percentUsed: 80 })).toBeGreaterThan(0);
    expect(pauseForUsage({ scope: 'account', percentUsed: 90 })).toBeGreaterThan(
      pauseForUsage({ scope: 'account', percentUsed: 80 }),
    );
    expect(pauseForUsage({ scope: 'account', percentUsed: 100 })).toBe(60_000);
    expect(pauseForUsage({ scope: 'account', percentUsed: 140 })).toBe(60_000);
    expect(pauseForUsage({ scope: 'app', percentUsed: 20, regainAccessInMs: 5 * 60_000 })).toBe(300_000);
  });
});
