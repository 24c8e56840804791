// The launcher's parts, for tests and tools that run the fleet with other apps.

export { runCli } from './cli.ts';
export { type AppSpec, FLEET } from './fleet.ts';
export { type LauncherContext, runLauncher } from './launcher.ts';
