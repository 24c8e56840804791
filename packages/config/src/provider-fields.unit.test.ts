import { describe, expect, it } from 'vitest';
import { ConfigError, gatewayConfigSchema, parseEnv, resolveProviders } from './index.ts';

const PRODUCTION_SECRETS = {
  NODE_ENV: 'production',
  ENCRYPTION_KEYS: `prod:${Buffer.alloc(32, 7).toString('base64')}`,
  OAUTH_STATE_SECRET: 'a-production-secret-of-at-least-32-characters',
  PUBLIC_BASE_URL: 'https://adsync.example.com',
};

describe('resolveProviders', () => {
  it('points every platform at the simulator and its seed apps by default', () => {
    const { target, settings, configured } = resolveProviders(parseEnv(gatewayConfigSchema, {}));
    expect(target).toBe('simulator');
    expect(configured).toEqual(['meta', 'google', 'tiktok', 'klaviyo']);
    expect(settings.meta.graphUrl).toBe('http://127.0.0.1:4010/meta/graph/v25.0');
    expect(settings.google.redirectUri).toBe('http://localhost:3000/oauth/google/callback');
    expect(settings.meta.scopes).toContain('ads_management');
  });

  it('in production uses the real platforms, and a platform without credentials is not configured', () => {
    const config = parseEnv(gatewayConfigSchema, { ...PRODUCTION_SECRETS, META_APP_ID: '42', META_APP_SECRET: 's' });
    const { target, settings, configured } = resolveProviders(config);
    expect(target).toBe('platforms');
    expect(configured).toEqual(['meta', 'klaviyo']);
    expect(settings.meta.authorizeUrl).toBe('https://www.facebook.com/v25.0/dialog/oauth');
    expect(settings.meta.redirectUri).toBe('https://adsync.example.com/oauth/meta/callback');
    expect(settings.tiktok.apiUrl).toBe('https://business-api.tiktok.com/open_api/v1.3');
  });

  it('takes every override from the environment', () => {
    const config = parseEnv(gatewayConfigSchema, {
      META_SCOPES: 'ads_read, ads_management',
      META_GRAPH_URL: 'https://graph.example/v25.0',
      KLAVIYO_SCOPES: 'accounts:read lists:read',
    });
    const { settings } = resolveProviders(config);
    expect(settings.meta.scopes).toEqual(['ads_read', 'ads_management']);
    expect(settings.meta.graphUrl).toBe('https://graph.example/v25.0');
    expect(settings.klaviyo.scopes).toEqual(['accounts:read', 'lists:read']);
  });

  it('refuses the simulator in production and a malformed URL anywhere', () => {
    expect(() => parseEnv(gatewayConfigSchema, { ...PRODUCTION_SECRETS, PROVIDERS_TARGET: 'simulator' })).toThrow(
      ConfigError,
    );
    expect(() => parseEnv(gatewayConfigSchema, { GOOGLE_TOKEN_URL: 'not a url' })).toThrow(/GOOGLE_TOKEN_URL/);
  });
});
