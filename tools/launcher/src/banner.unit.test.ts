import { describe, expect, it } from 'vitest';
import { formatBanner, publicBaseUrlFor } from './banner.ts';

describe('publicBaseUrlFor', () => {
  const config = { PUBLIC_BASE_URL: 'http://localhost:3000', GATEWAY_PORT: 4123 };

  it('follows GATEWAY_PORT when PUBLIC_BASE_URL is not set', () => {
    expect(publicBaseUrlFor(config, {})).toBe('http://localhost:4123');
    expect(publicBaseUrlFor(config, { PUBLIC_BASE_URL: '' })).toBe('http://localhost:4123');
  });

  it('keeps an explicit PUBLIC_BASE_URL, without a trailing slash', () => {
    const explicit = { ...config, PUBLIC_BASE_URL: 'https://adsync.test/' };
    expect(publicBaseUrlFor(explicit, { PUBLIC_BASE_URL: 'https://adsync.test/' })).toBe('https://adsync.test');
  });
});

describe('formatBanner', () => {
  it('names the gateway, the docs, the metrics port, Bull Board with its credentials, and how to stop', () => {
    const banner = formatBanner({
      publicBaseUrl: 'http://localhost:3000',
      operatorEmail: 'dev@adsync.local',
      operatorToken: 'adsync-dev-operator-token-do-not-use-in-production',
      tenantApiKey: 'adsync_dev-tenant-key-do-not-use-in-production',
      simulatorUrl: 'http://127.0.0.1:4010',
      metricsUrl: 'http://127.0.0.1:3100/metrics',
      colour: false,
    });
    expect(banner).toContain('Gateway    http://localhost:3000\n');
    expect(banner).toContain('API docs   http://localhost:3000/docs\n');
    expect(banner).toContain('Bull Board http://localhost:3000/queues\n');
    expect(banner).toContain(
      'Metrics    http://127.0.0.1:3100/metrics (internal port; the workers on their health ports)\n',
    );
    expect(banner).toContain('user dev@adsync.local, password adsync-dev-operator-token-do-not-use-in-production');
    expect(banner).toContain(
      'Simulator  http://127.0.0.1:4010 (Meta, Google Ads, TikTok, Klaviyo; control at /_control)',
    );
    expect(banner).toContain('Tenant key adsync_dev-tenant-key-do-not-use-in-production');
    expect(banner).toContain('Ctrl-C stops everything.');
    expect(banner).not.toContain('\u001b[');
  });
});
