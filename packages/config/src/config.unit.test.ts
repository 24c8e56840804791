import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEV_ENCRYPTION_KEYS,
  devDefaultsAllowedOnPublicUrl,
  gatewayConfigSchema,
  isLoopbackUrl,
  launcherConfigSchema,
  parseEnv,
  resealConfigSchema,
  workerConfigSchema,
} from './index.ts';

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

describe('isLoopbackUrl', () => {
  it('is true only for hosts no other machine can reach', () => {
    for (const url of [
      'http://localhost:3000',
      'https://LOCALHOST',
      'http://adsync.localhost',
      'http://a.b.localhost:8080/x',
      'http://127.0.0.1:3000',
      'http://127.255.1.9',
      'http://127.1',
      'http://[::1]:3000',
    ]) {
      expect(isLoopbackUrl(url), url).toBe(true);
    }
    for (const url of [
      'https://adsync.example.com',
      'http://localhost.example.com',
      'http://mylocalhost',
      'http://localhost.',
      'http://10.0.0.5:3000',
      'http://128.0.0.1',
      'http://0.0.0.0:3000',
      'http://[::]:3000',
      'http://[::ffff:127.0.0.1]',
      'http://127.0.0.1.nip.io',
      'not a url',
    ]) {
      expect(isLoopbackUrl(url), url).toBe(false);
    }
  });
});

describe('the public development defaults on a public URL', () => {
  const PUBLIC = { PUBLIC_BASE_URL: 'https://adsync.example.com' };
  const OWN_SECRETS = {
    ENCRYPTION_KEYS: `own:${Buffer.alloc(32, 5).toString('base64')}`,
    OAUTH_STATE_SECRET: 'an-own-secret-of-at-least-thirty-two-characters',
  };
  const problemsOf = (schema: Parameters<typeof parseEnv>[0], env: Record<string, string>): string[] => {
    try {
      parseEnv(schema, env);
      return [];
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return [...error.problems];
    }
  };
  const notLoopback = 'PUBLIC_BASE_URL is not a loopback URL (localhost, *.localhost, 127.0.0.0/8, [::1])';
  const optIn = "or ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL=true on a shared staging or demo that holds no real brand's data";

  it.each(['development', 'test'])('are refused with NODE_ENV=%s, each saying what to set', (nodeEnv) => {
    for (const schema of [gatewayConfigSchema, workerConfigSchema(3101)]) {
      expect(problemsOf(schema, { NODE_ENV: nodeEnv, ...PUBLIC })).toEqual(
        [
          `ENCRYPTION_KEYS: holds the public development key while ${notLoopback}: set your own keys, ${optIn}`,
          `OAUTH_STATE_SECRET: is the public development secret while ${notLoopback}: set your own, ${optIn}`,
          `PROVIDERS_TARGET: is the simulator (the default outside production) while ${notLoopback}: set PROVIDERS_TARGET=platforms and each platform's credentials, ${optIn}`,
        ].filter((problem) => schema === gatewayConfigSchema || !problem.startsWith('OAUTH_STATE_SECRET')),
      );
    }
  });

  it('refuses each one alone: a dev key among own keys, the simulator asked for by name', () => {
    expect(
      problemsOf(gatewayConfigSchema, {
        ...PUBLIC,
        ...OWN_SECRETS,
        ENCRYPTION_KEYS: `${OWN_SECRETS.ENCRYPTION_KEYS},${DEV_ENCRYPTION_KEYS}`,
        PROVIDERS_TARGET: 'platforms',
      }),
    ).toEqual([`ENCRYPTION_KEYS: holds the public development key while ${notLoopback}: set your own keys, ${optIn}`]);
    expect(problemsOf(gatewayConfigSchema, { ...PUBLIC, ...OWN_SECRETS, PROVIDERS_TARGET: 'simulator' })).toEqual([
      `PROVIDERS_TARGET: is the simulator while ${notLoopback}: set PROVIDERS_TARGET=platforms and each platform's credentials, ${optIn}`,
    ]);
  });

  it('starts on a public URL with its own secrets and the real platforms, and on loopback with the defaults', () => {
    expect(problemsOf(gatewayConfigSchema, { ...PUBLIC, ...OWN_SECRETS, PROVIDERS_TARGET: 'platforms' })).toEqual([]);
    for (const url of [
      'http://localhost:3000',
      'http://adsync.localhost',
      'http://127.0.0.1:41234',
      'http://[::1]:3000',
    ]) {
      expect(problemsOf(gatewayConfigSchema, { PUBLIC_BASE_URL: url }), url).toEqual([]);
      expect(problemsOf(workerConfigSchema(3101), { NODE_ENV: 'test', PUBLIC_BASE_URL: url }), url).toEqual([]);
    }
  });

  it('lets ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL=true start them, and says so for the boot log', () => {
    const config = parseEnv(gatewayConfigSchema, { ...PUBLIC, ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL: 'true' });
    expect(config.ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL).toBe(true);
    expect(devDefaultsAllowedOnPublicUrl(config, { providers: true })).toBe(
      'running on a public URL with the public development ENCRYPTION_KEYS, OAUTH_STATE_SECRET, PROVIDERS_TARGET, ' +
        "as ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL=true allows: for a shared staging or demo that holds no real brand's data",
    );
    expect(devDefaultsAllowedOnPublicUrl(parseEnv(gatewayConfigSchema, {}), { providers: true })).toBeUndefined();
    expect(problemsOf(gatewayConfigSchema, { ...PUBLIC, ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL: 'yes' })).toContain(
      'ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL: Invalid option: expected one of "true"|"false"',
    );
  });

  it('keeps refusing them in production, opt-in or not, on any URL', () => {
    for (const url of ['https://adsync.example.com', 'http://localhost:3000']) {
      const problems = problemsOf(gatewayConfigSchema, {
        NODE_ENV: 'production',
        PUBLIC_BASE_URL: url,
        PROVIDERS_TARGET: 'simulator',
        ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL: 'true',
      });
      const ignored = ' (ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL does not apply with NODE_ENV=production)';
      expect(problems, url).toEqual([
        `ENCRYPTION_KEYS: holds the public development key; set your own keys in production${ignored}`,
        `OAUTH_STATE_SECRET: is the public development secret; set your own in production${ignored}`,
        `PROVIDERS_TARGET: simulator is for local runs; set platforms (the default in production) and each platform's credentials${ignored}`,
      ]);
    }
  });

  it("holds pnpm reseal's keyring to the same rule (it has no platforms)", () => {
    expect(problemsOf(resealConfigSchema, { ...PUBLIC })).toEqual([
      `ENCRYPTION_KEYS: holds the public development key while ${notLoopback}: set your own keys, ${optIn}`,
    ]);
    expect(problemsOf(resealConfigSchema, { ...PUBLIC, ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL: 'true' })).toEqual([]);
    expect(problemsOf(resealConfigSchema, { ...PUBLIC, ...OWN_SECRETS })).toEqual([]);
  });

  it('holds the launcher to it too, its dev operator token and tenant key included', () => {
    const problems = problemsOf(launcherConfigSchema, { ...PUBLIC });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      'ENCRYPTION_KEYS',
      'OAUTH_STATE_SECRET',
      'PROVIDERS_TARGET',
      'DEV_OPERATOR_TOKEN',
      'DEV_TENANT_API_KEY',
    ]);
    expect(problems).toContain(
      `DEV_OPERATOR_TOKEN: is the public development token while ${notLoopback}: set your own, ${optIn}`,
    );
    expect(problemsOf(launcherConfigSchema, { ...PUBLIC, ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL: 'true' })).toEqual([]);
    expect(problemsOf(launcherConfigSchema, {})).toEqual([]);
  });
});
