// Starts the embedded Postgres the launcher falls back to when DATABASE_URL's server does not answer. It
// runs in a helper process (embedded-postgres-host.ts); stopping that process stops the server.

import { fileURLToPath } from 'node:url';
import type { EmbeddedPostgresReply, EmbeddedPostgresRequest } from './embedded-postgres-protocol.ts';
import { LauncherError } from './launcher-error.ts';
import { type ManagedProcess, type ProcessOutput, startManagedProcess } from './managed-process.ts';

const HOST_SCRIPT = fileURLToPath(new URL('./embedded-postgres-host.ts', import.meta.url));

// Local, loopback-only and throwaway: a fixed password keeps DATABASE_URL stable across runs.
const USER = 'adsync';
const PASSWORD = 'adsync';
export const EMBEDDED_DATABASE = 'adsync';

export interface StartEmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  env: NodeJS.ProcessEnv;
  output: ProcessOutput;
  /** Called as soon as the helper exists, so a stop during start-up still stops it. */
  onSpawn: (process: ManagedProcess) => void;
  /** initdb on a slow disk can take a while; this bounds the whole first start. */
  timeoutMs?: number;
}

export interface EmbeddedPostgres {
  process: ManagedProcess;
  databaseUrl: string;
  initialised: boolean;
}

export function embeddedDatabaseUrl(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
}

export async function startEmbeddedPostgres(options: StartEmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const host = startManagedProcess({
    name: 'postgres',
    command: process.execPath,
    args: [HOST_SCRIPT],
    env: options.env,
    output: options.output,
    ipc: true,
  });
  options.onSpawn(host);
  const request: EmbeddedPostgresRequest = {
    dataDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    database: EMBEDDED_DATABASE,
  };
  host.child.send(request);
  let timer: NodeJS.Timeout | undefined;
  const reply = await Promise.race([
    new Promise<EmbeddedPostgresReply>((resolve) => host.child.once('message', resolve)),
    host.exited.then(
      (): EmbeddedPostgresReply => ({
        type: 'failed',
        message: `The embedded Postgres helper stopped during start-up (${host.describeExit()}); see its output above.`,
      }),
    ),
    new Promise<EmbeddedPostgresReply>((resolve) => {
      const timeoutMs = options.timeoutMs ?? 180_000;
      timer = setTimeout(
        () => resolve({ type: 'failed', message: `The embedded Postgres was not ready within ${timeoutMs / 1000} s.` }),
        timeoutMs,
      );
    }),
  ]);
  clearTimeout(timer);
  if (reply.type === 'failed') throw new LauncherError(reply.message);
  return { process: host, databaseUrl: embeddedDatabaseUrl(options.port), initialised: reply.initialised };
}
