// The apps the launcher runs, in start order. Add an app here and the launcher starts, prefixes and stops it.

export interface AppSpec {
  /** Shown in front of every line the app prints. */
  readonly name: string;
  /** The app's entry point, relative to the repository root. */
  readonly entry: string;
}

export const FLEET: readonly AppSpec[] = [
  // First, so the platforms answer before anything talks to them.
  { name: 'simulator', entry: 'apps/simulator/src/main.ts' },
  { name: 'gateway', entry: 'apps/gateway/src/main.ts' },
  { name: 'worker-refresh', entry: 'apps/worker-refresh/src/main.ts' },
  { name: 'worker-spend', entry: 'apps/worker-spend/src/main.ts' },
  { name: 'worker-capi', entry: 'apps/worker-capi/src/main.ts' },
  { name: 'worker-klaviyo', entry: 'apps/worker-klaviyo/src/main.ts' },
];
