import { describe, expect, it } from 'vitest';
import { ConfigError, gatewayConfigSchema, launcherConfigSchema, parseEnv, workerConfigSchema } from './index.ts';

describe('parseEnv', () => {
  it('starts on defaults alone in development', () => {
    const config = parseEnv(gatewayConfigSchema, {});
    expect(config.NODE_ENV).toBe('development');
    expect(config.GATEWAY_PORT).toBe(3000);
    expect(config.QUEUE_PREFIX).toBe('{adsync}');
    expect(config.ENCRYPTION_KEYS[0]?.key).toHaveLength(32);
  });

  it('lists every missing or invalid variable in one error', () => {
    const attempt = () =>
      parseEnv(gatewayConfigSchema, {
        DATABASE_URL: 'mysql://nope',
        GATEWAY_PORT: 'eighty',
        QUEUE_PREFIX: 'adsync',
        ENCRYPTION_KEYS: 'k1:tooshort',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^DATABASE_URL: must be a URL/m);
      expect(problems).toMatch(/^GATEWAY_PORT: must be a port number from 0 to 65535$/m);
      expect(problems).toMatch(/^QUEUE_PREFIX: must contain one Redis Cluster hash tag/m);
      expect(problems).toMatch(/^ENCRYPTION_KEYS: each entry must be KEY_ID:BASE64_OF_32_BYTES/m);
      expect((error as ConfigError).problems).toHaveLength(4);
    }
  });

  it('never echoes a value back, since values may be secrets', () => {
    const secret = 'k1:c2VjcmV0LXZhbHVlLXRoYXQtaXMtbm90LTMyLWJ5dGVz';
    expect(() => parseEnv(gatewayConfigSchema, { ENCRYPTION_KEYS: secret })).toThrow(ConfigError);
    try {
      parseEnv(gatewayConfigSchema, { ENCRYPTION_KEYS: secret });
    } catch (error) {
      expect((error as Error).message).not.toContain('c2VjcmV0');
    }
  });

  it('refuses the development secrets in production', () => {
    try {
      parseEnv(gatewayConfigSchema, { NODE_ENV: 'production' });
      expect.unreachable('production with development secrets must not start');
    } catch (error) {
      const problems = (error as ConfigError).problems;
      expect(problems).toContain('ENCRYPTION_KEYS: holds the public development key; set your own keys in production');
      expect(problems).toContain('OAUTH_STATE_SECRET: is the public development secret; set your own in production');
    }
  });

  it('starts in production with real secrets', () => {
    const config = parseEnv(workerConfigSchema(3101), {
      NODE_ENV: 'production',
      ENCRYPTION_KEYS: `new:${Buffer.alloc(32, 7).toString('base64')},old:${Buffer.alloc(32, 3).toString('base64')}`,
    });
    expect(config.ENCRYPTION_KEYS.map((entry) => entry.id)).toEqual(['new', 'old']);
    expect(config.WORKER_HEALTH_PORT).toBe(3101);
  });

  it('treats an empty value as unset', () => {
    expect(parseEnv(gatewayConfigSchema, { GATEWAY_PORT: '' }).GATEWAY_PORT).toBe(3000);
  });

  it("holds the launcher's dev operator token to operator:create's rule", () => {
    expect(parseEnv(launcherConfigSchema, {}).DEV_OPERATOR_TOKEN).toBe(
      'adsync-dev-operator-token-do-not-use-in-production',
    );
    expect(() => parseEnv(launcherConfigSchema, { DEV_OPERATOR_TOKEN: 'adsync-dev-operator' })).toThrow(
      'DEV_OPERATOR_TOKEN: must be at least 32 characters (it has 19)',
    );
    expect(() => parseEnv(launcherConfigSchema, { DEV_OPERATOR_TOKEN: 'operator'.repeat(5) })).toThrow(
      'DEV_OPERATOR_TOKEN: must use at least 10 different characters (it uses 6)',
    );
  });
});
