import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { processEnvironment } from '@adsync/config';
import { freePort, useTestEnvironment } from '@adsync/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDIS_INSTALL_HINTS } from './redis-server.ts';
import { REPO_ROOT } from './repo-root.ts';

const environment = useTestEnvironment();

interface RunningLauncher {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  waitFor: (pattern: RegExp, timeoutMs: number) => Promise<void>;
}

function startLauncher(env: Record<string, string | undefined>): RunningLauncher {
  const child = spawn(process.execPath, ['tools/launcher/src/main.ts'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(output)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`launcher output never matched ${pattern}:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  return { child, output: () => output, exited, waitFor };
}

/** Every live descendant of `pid`, from /proc (the launcher's children run in their own process groups). */
async function descendantsOf(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    // The command name may contain spaces; the fields after its closing parenthesis do not.
    const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields?.[1] !== undefined) parents.set(Number(entry), Number(fields[1]));
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

async function isAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // A zombie has exited; it only waits for its new parent to collect its status.
  return stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

async function expectAllGone(pids: readonly number[]): Promise<void> {
  const deadline = Date.now() + 5_000;
  let alive = pids;
  while (Date.now() < deadline) {
    alive = (await Promise.all(pids.map(async (pid) => ((await isAlive(pid)) ? pid : undefined)))).filter(
      (pid): pid is number => pid !== undefined,
    );
    if (alive.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(alive, 'processes left behind by the launcher').toEqual([]);
}

async function readyzStatus(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  await response.body?.cancel();
  return response.status;
}

describe('launcher', () => {
  let dataDir: string;
  let launcher: RunningLauncher | undefined;
  let started: number[] = [];

  const baseEnv = () => {
    const { PUBLIC_BASE_URL: _publicBaseUrl, ...inherited } = processEnvironment();
    return {
      ...inherited,
      ...environment.env,
      LOG_FORMAT: 'pretty',
      LOG_LEVEL: 'info',
      ADSYNC_DATA_DIR: dataDir,
      // Random health ports, so a fleet already running on this machine does not collide with the test's.
      WORKER_HEALTH_PORT: '0',
      SIMULATOR_PORT: '0',
    };
  };

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'adsync-launcher-'));
    // As root the embedded Postgres runs as the postgres OS user, which must be able to reach this folder.
    await chmod(dataDir, 0o755);
    started = [];
  });

  afterEach(async () => {
    // A failed test must not leave a fleet running on the machine.
    if (launcher !== undefined && launcher.child.exitCode === null) launcher.child.kill('SIGKILL');
    for (const pid of started) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Gone, as it should be.
      }
    }
    launcher = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts the fleet on the given Postgres and Redis, and stops all of it on SIGINT', async () => {
    const [gatewayPort, metricsPort] = [await freePort(), await freePort()];
    launcher = startLauncher({
      ...baseEnv(),
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_METRICS_PORT: String(metricsPort),
    });
    await launcher.waitFor(/Ctrl-C stops everything/, 90_000);

    expect(launcher.output()).toMatch(/Postgres: using the server at .*\(DATABASE_URL\)/);
    expect(launcher.output()).toMatch(/Redis: using the server at .*\(REDIS_URL\)/);
    expect(launcher.output()).toContain(`Gateway    http://localhost:${gatewayPort}`);
    expect(launcher.output()).toContain(`Bull Board http://localhost:${gatewayPort}/queues`);
    expect(launcher.output()).toContain(`Metrics    http://127.0.0.1:${metricsPort}/metrics`);
    expect(await readyzStatus(gatewayPort)).toBe(200);
    const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain('app="gateway"');
    const pid = launcher.child.pid ?? 0;
    started = await descendantsOf(pid);
    expect(started.length).toBeGreaterThanOrEqual(5);

    launcher.child.kill('SIGINT');
    expect(await launcher.exited).toBe(0);
    await expectAllGone(started);
  }, 120_000);

  it('falls back to an embedded Postgres when nothing answers at DATABASE_URL', async () => {
    const [gatewayPort, metricsPort, closedPort, embeddedPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    launcher = startLauncher({
      ...baseEnv(),
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_METRICS_PORT: String(metricsPort),
      DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/adsync`,
      EMBEDDED_POSTGRES_PORT: String(embeddedPort),
    });
    await launcher.waitFor(/Ctrl-C stops everything/, 150_000);

    expect(launcher.output()).toContain(`starting an embedded Postgres on 127.0.0.1:${embeddedPort}`);
    expect(launcher.output()).toContain(`Postgres: using the embedded Postgres at 127.0.0.1:${embeddedPort}/adsync`);
    expect(await readyzStatus(gatewayPort)).toBe(200);
    started = await descendantsOf(launcher.child.pid ?? 0);

    launcher.child.kill('SIGINT');
    expect(await launcher.exited).toBe(0);
    await expectAllGone(started);
  }, 180_000);

  it('explains how to get Redis, without a stack trace, when there is none and no redis-server to start', async () => {
    const closedPort = await freePort();
    launcher = startLauncher({
      ...baseEnv(),
      REDIS_URL: `redis://127.0.0.1:${closedPort}`,
      // Node stays reachable; redis-server (in /usr/bin or wherever) does not.
      PATH: dirname(process.execPath),
    });
    expect(await launcher.exited).toBe(1);

    const output = launcher.output();
    expect(output).toContain(`Redis is not reachable at 127.0.0.1:${closedPort} and redis-server is not on PATH`);
    for (const hint of REDIS_INSTALL_HINTS) expect(output).toContain(hint);
    expect(output).not.toMatch(/^\s+at /m);
  }, 60_000);
});
