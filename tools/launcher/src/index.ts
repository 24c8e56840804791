// The launcher's parts, for tests and tools that run the fleet with other apps (the chaos suite starts,
// stops and restarts the same Postgres, Redis and app processes the launcher does).

export { runCli } from './cli.ts';
export { embeddedDatabaseUrl, startEmbeddedPostgres } from './embedded-postgres.ts';
export { type AppSpec, FLEET } from './fleet.ts';
export { type LauncherContext, runLauncher } from './launcher.ts';
export {
  type ManagedProcess,
  type ProcessOutput,
  startManagedProcess,
  stopManagedProcess,
} from './managed-process.ts';
export { createProcessOutput, type TextSink } from './process-output.ts';
export { waitForReady } from './readiness.ts';
export { findExecutable, startRedisServer } from './redis-server.ts';
export { REPO_ROOT } from './repo-root.ts';
