// Starts a redis-server for REDIS_URL when nothing answers there, and knows how to tell people to get one.

import { access, constants, mkdir, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { LauncherError } from './launcher-error.ts';
import type { ManagedProcess, ProcessOutput } from './managed-process.ts';
import { startManagedProcess } from './managed-process.ts';
import { pingRedis } from './redis-probe.ts';
import { hostOf, isLocalHost, portOf } from './urls.ts';

export const REDIS_INSTALL_HINTS = [
  'docker compose up -d redis',
  'sudo apt install redis-server',
  'brew install redis',
];

/** The arguments that make redis-server serve `redisUrl` the way BullMQ needs (no eviction, durable AOF). */
export function redisServerArgs(redisUrl: string, dataDir: string): string[] {
  const url = new URL(redisUrl);
  const host = hostOf(url);
  // `-::1`: bind IPv6 loopback when the machine has it, without failing when it does not.
  const bind = host === 'localhost' ? ['127.0.0.1', '-::1'] : [host];
  const args = [
    '--port',
    String(portOf(url, 6379)),
    '--bind',
    ...bind,
    '--appendonly',
    'yes',
    '--maxmemory-policy',
    'noeviction',
    '--save',
    '',
    '--dir',
    dataDir,
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ];
  // The apps send the URL's password; a server without one would answer AUTH with an error.
  if (url.password !== '') args.push('--requirepass', decodeURIComponent(url.password));
  return args;
}

/** Why the launcher cannot start a redis-server for this URL, or undefined when it can. */
export function cannotServeLocally(redisUrl: string): string | undefined {
  const url = new URL(redisUrl);
  if (url.protocol === 'rediss:') return 'it uses TLS (rediss://), which a locally started redis-server does not serve';
  if (!isLocalHost(hostOf(url))) return `${hostOf(url)} is not this machine`;
  if (url.username !== '' && url.username !== 'default') return 'it names a Redis ACL user';
  return undefined;
}

export async function findExecutable(name: string, pathVariable: string | undefined): Promise<string | undefined> {
  for (const dir of (pathVariable ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

export function redisUnavailableMessage(where: string, reason: string): string {
  return (
    `Redis is not reachable at ${where} and ${reason}. Start Redis there, or install it and run the launcher again:\n` +
    REDIS_INSTALL_HINTS.map((hint) => `    ${hint}`).join('\n')
  );
}

export interface StartRedisOptions {
  executable: string;
  redisUrl: string;
  dataDir: string;
  output: ProcessOutput;
  /** Called as soon as the process exists, so a stop during start-up still stops it. */
  onSpawn: (process: ManagedProcess) => void;
  timeoutMs?: number;
}

export async function startRedisServer(options: StartRedisOptions): Promise<ManagedProcess> {
  await mkdir(options.dataDir, { recursive: true });
  const recent: string[] = [];
  const server = startManagedProcess({
    name: 'redis',
    command: options.executable,
    args: redisServerArgs(options.redisUrl, options.dataDir),
    output: options.output,
    onLine: (line) => {
      recent.push(line);
      if (recent.length > 20) recent.shift();
    },
  });
  options.onSpawn(server);
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    if (!server.running) {
      const where = new URL(options.redisUrl).host;
      if (recent.some((line) => /address already in use/i.test(line))) {
        throw new LauncherError(
          `redis-server could not listen on ${where}: the port is in use. Free it or set REDIS_URL to another port.`,
        );
      }
      throw new LauncherError(`redis-server stopped during start-up (${server.describeExit()}); see its output above.`);
    }
    if ((await pingRedis(options.redisUrl)) === 'reachable') return server;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new LauncherError('redis-server did not answer PING within 15 s; see its output above.');
}
