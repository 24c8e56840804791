// Starts an app (a worker, or the gateway) as its own process, the way production runs it, for tests of the
// real thing: it resolves once the app logs that it started, and keeps everything it printed for assertions.

import { type ChildProcess, spawn } from 'node:child_process';

const REPO_ROOT = new URL('../../../', import.meta.url).pathname;

export interface AppProcess {
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then waits for it to exit. */
  stop(): Promise<void>;
}

export interface WorkerProcess extends AppProcess {
  /** The /healthz and /metrics base URL it logged at start. */
  healthUrl(): string | undefined;
}

export interface GatewayProcess extends AppProcess {
  /** The public base URL it listens on. */
  url(): string | undefined;
  /** Its internal listener's scrape URL (…/metrics). */
  metricsUrl(): string | undefined;
}

async function startAppProcess(
  app: string,
  environment: Record<string, string>,
  timeoutMs: number,
): Promise<AppProcess & { logged(field: string): string | undefined }> {
  const child = spawn(process.execPath, [`apps/${app}/src/main.ts`], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      // Free ports, so a fleet already running on this machine does not collide with the test's.
      WORKER_HEALTH_PORT: '0',
      GATEWAY_PORT: '0',
      GATEWAY_METRICS_PORT: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      ...environment,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let started = false;
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`${app} started`)) started = true;
    });
  }
  const deadline = Date.now() + timeoutMs;
  while (!started) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${app} did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    output: () => output,
    logged: (field) => new RegExp(`"${field}":"([^"]+)"`).exec(output)?.[1],
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('close', resolve));
    },
  };
}

export async function startWorkerProcess(
  app: string,
  environment: Record<string, string>,
  timeoutMs = 15_000,
): Promise<WorkerProcess> {
  const started = await startAppProcess(app, environment, timeoutMs);
  return { ...started, healthUrl: () => started.logged('healthUrl') };
}

export async function startGatewayProcess(
  environment: Record<string, string>,
  timeoutMs = 15_000,
): Promise<GatewayProcess> {
  const started = await startAppProcess('gateway', environment, timeoutMs);
  return { ...started, url: () => started.logged('url'), metricsUrl: () => started.logged('metricsUrl') };
}
