// A deployment that forgot NODE_ENV=production: the gateway, a worker, `pnpm reseal` and the launcher are
// started as their own processes with NODE_ENV=development, PUBLIC_BASE_URL=https://adsync.example.com and the
// public development defaults (the dev encryption key and OAuth state secret, the simulator as the
// platforms, the launcher's dev operator and tenant key). Each exits 1 with a message naming what to set,
// before it writes anything to Postgres or Redis; ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL=true lets the gateway and
// the worker start (and they say so in their logs); NODE_ENV=production refuses them, opt-in or not.

import { spawn } from 'node:child_process';
import { startGatewayProcess, startWorkerProcess, useTestEnvironment } from '@adsync/testing';
import { describe, expect, it } from 'vitest';

const env = useTestEnvironment();
const REPO_ROOT = new URL('../../../../', import.meta.url).pathname;

const NOT_LOOPBACK = 'PUBLIC_BASE_URL is not a loopback URL (localhost, *.localhost, 127.0.0.0/8, [::1])';
const OPT_IN = "or ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL=true on a shared staging or demo that holds no real brand's data";

/** The test's database and Redis, a public URL, and every development default left as it is. */
function publicDeployment(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...env.env,
    NODE_ENV: 'development',
    PUBLIC_BASE_URL: 'https://adsync.example.com',
    LOG_FORMAT: 'json',
    ...extra,
  };
}

/**
 * Runs an entry point to its exit; resolves with the exit code and everything it printed. One still running
 * after 10 s (it started: the refusal is missing) is stopped and reported as `started`.
 */
function runToExit(
  script: string,
  environment: Record<string, string>,
): Promise<{ code: number | 'started'; output: string }> {
  const child = spawn(process.execPath, [script], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      // Free ports, should it start after all.
      GATEWAY_PORT: '0',
      GATEWAY_METRICS_PORT: '0',
      WORKER_HEALTH_PORT: '0',
      SIMULATOR_PORT: '0',
      ...environment,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let started = false;
  const timer = setTimeout(() => {
    started = true;
    child.kill('SIGTERM');
  }, 10_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: started ? 'started' : (code ?? -1), output });
    }),
  );
}

/** What the refused processes could have written: Redis keys under the test's prefix, operators and tenants. */
async function written() {
  const keys = await env.redis.keys(`${env.queuePrefix}*`);
  const operators = await env.db.selectFrom('operators').select('email').execute();
  const tenants = await env.db.selectFrom('tenants').select('name').execute();
  return { keys, operators, tenants };
}

const nothing = { keys: [], operators: [], tenants: [] };

describe('the public development defaults on a public URL', () => {
  it('the gateway exits 1 naming each default and what to set, and writes nothing', async () => {
    const { code, output } = await runToExit('apps/gateway/src/main.ts', publicDeployment());
    expect(code).toBe(1);
    expect(output).toMatch(/^gateway: Invalid configuration \(3 problems\):/);
    expect(output).toContain(
      `ENCRYPTION_KEYS: holds the public development key while ${NOT_LOOPBACK}: set your own keys, ${OPT_IN}`,
    );
    expect(output).toContain(
      `OAUTH_STATE_SECRET: is the public development secret while ${NOT_LOOPBACK}: set your own, ${OPT_IN}`,
    );
    expect(output).toContain(
      `PROVIDERS_TARGET: is the simulator (the default outside production) while ${NOT_LOOPBACK}: set PROVIDERS_TARGET=platforms and each platform's credentials, ${OPT_IN}`,
    );
    expect(output).not.toContain('gateway started');
    expect(output).not.toMatch(/\n\s+at /);
    expect(await written()).toEqual(nothing);
  });

  it('a worker exits 1 the same way, before it declares its schedulers', async () => {
    const { code, output } = await runToExit('apps/worker-refresh/src/main.ts', publicDeployment());
    expect(code).toBe(1);
    expect(output).toMatch(/^worker-refresh: Invalid configuration \(2 problems\):/);
    expect(output).toContain(`ENCRYPTION_KEYS: holds the public development key while ${NOT_LOOPBACK}`);
    expect(output).toContain(
      `PROVIDERS_TARGET: is the simulator (the default outside production) while ${NOT_LOOPBACK}`,
    );
    expect(await written()).toEqual(nothing);
  });

  it('pnpm reseal refuses to seal with the public key, and the launcher to create the public operator and tenant', async () => {
    const reseal = await runToExit('packages/connections/src/cli/reseal.ts', publicDeployment());
    expect(reseal.code).toBe(1);
    expect(reseal.output).toContain(
      `reseal: Invalid configuration (1 problem):\n  - ENCRYPTION_KEYS: holds the public development key while ${NOT_LOOPBACK}`,
    );
    const launcher = await runToExit(
      'tools/launcher/src/main.ts',
      publicDeployment({ ADSYNC_DATA_DIR: '/nonexistent' }),
    );
    expect(launcher.code).toBe(1);
    expect(launcher.output).toContain('launcher: Invalid configuration (5 problems)');
    expect(launcher.output).toContain(`DEV_OPERATOR_TOKEN: is the public development token while ${NOT_LOOPBACK}`);
    expect(launcher.output).toContain(`DEV_TENANT_API_KEY: is the public development key while ${NOT_LOOPBACK}`);
    expect(await written()).toEqual(nothing);
  });

  it('NODE_ENV=production refuses them even with ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL=true', async () => {
    const { code, output } = await runToExit(
      'apps/gateway/src/main.ts',
      publicDeployment({
        NODE_ENV: 'production',
        PROVIDERS_TARGET: 'simulator',
        ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL: 'true',
      }),
    );
    expect(code).toBe(1);
    expect(output).toContain(
      'ENCRYPTION_KEYS: holds the public development key; set your own keys in production (ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL does not apply with NODE_ENV=production)',
    );
    expect(output).toContain('PROVIDERS_TARGET: simulator is for local runs');
    expect(await written()).toEqual(nothing);
  });

  it('ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL=true lets the gateway and a worker start, and both say so', async () => {
    const optedIn = publicDeployment({ ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL: 'true' });
    const warning =
      'running on a public URL with the public development ENCRYPTION_KEYS, OAUTH_STATE_SECRET, PROVIDERS_TARGET, ' +
      "as ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL=true allows: for a shared staging or demo that holds no real brand's data";
    const gateway = await startGatewayProcess(optedIn);
    try {
      const ready = await fetch(`${gateway.url()}/readyz`);
      expect(ready.status).toBe(200);
      expect(gateway.output()).toContain(warning);
    } finally {
      await gateway.stop();
    }
    const worker = await startWorkerProcess('worker-refresh', optedIn);
    try {
      expect((await fetch(`${worker.healthUrl()}/healthz`)).status).toBe(200);
      expect(worker.output()).toContain(warning.replace('OAUTH_STATE_SECRET, ', ''));
    } finally {
      await worker.stop();
    }
    expect(gateway.child.exitCode).toBe(0);
    expect(worker.child.exitCode).toBe(0);
  });
});
