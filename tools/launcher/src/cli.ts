// The launcher as a command: reads .env and the configuration, then runs the fleet. The fleet is a
// parameter so a test can run the launcher with stand-in apps.

import { join } from 'node:path';
import { launcherConfigSchema, loadConfigOrExit, processEnvironment } from '@adsync/config';
import { createLogger, logFormatFor } from '@adsync/logging';
import { messageOf } from './connection-errors.ts';
import type { AppSpec } from './fleet.ts';
import { runLauncher } from './launcher.ts';
import { loadEnvFileIfPresent } from './load-env-file.ts';
import { REPO_ROOT } from './repo-root.ts';

export async function runCli(fleet: readonly AppSpec[]): Promise<number> {
  const envFile = join(REPO_ROOT, '.env');
  try {
    loadEnvFileIfPresent(envFile);
  } catch (error) {
    console.error(`launcher: could not read ${envFile}: ${messageOf(error)}`);
    return 1;
  }
  const config = loadConfigOrExit(launcherConfigSchema, 'launcher');
  const logger = createLogger({ name: 'launcher', level: config.LOG_LEVEL, format: logFormatFor(config) });
  return runLauncher({
    config,
    env: processEnvironment(),
    fleet,
    repoRoot: REPO_ROOT,
    logger,
    stdout: process.stdout,
    stderr: process.stderr,
    colour: process.stdout.isTTY === true,
  });
}
