// Everything the launcher started, and the order it comes down in: apps and CLI steps first (they use
// Postgres and Redis while they drain), then the Postgres and Redis the launcher started, newest first.

import type { Logger } from '@adsync/logging';
import { type ManagedProcess, stopManagedProcess } from './managed-process.ts';

const APP_STOP_TIMEOUT_MS = 30_000;
const SERVICE_STOP_TIMEOUT_MS = 30_000;

export interface ProcessRegistry {
  addApp(app: ManagedProcess): void;
  /** A one-shot CLI (migrations, dev operator); it stops with the apps if still running. */
  addStep(step: ManagedProcess): void;
  /** A server the launcher started; until `markReady`, stopping it kills its whole process group. */
  addService(service: ManagedProcess): void;
  markReady(service: ManagedProcess): void;
  startedAnything(): boolean;
  stopAll(logger: Logger): Promise<void>;
}

async function stopWithin(process: ManagedProcess, timeoutMs: number, logger: Logger): Promise<void> {
  if (!(await stopManagedProcess(process, 'SIGTERM', timeoutMs))) {
    logger.warn(`${process.name} did not stop within ${timeoutMs / 1000} s; killed it`);
  }
}

export function createProcessRegistry(): ProcessRegistry {
  const apps: ManagedProcess[] = [];
  const steps: ManagedProcess[] = [];
  const services: { process: ManagedProcess; ready: boolean }[] = [];
  return {
    addApp: (app) => apps.push(app),
    addStep: (step) => steps.push(step),
    addService: (service) => services.push({ process: service, ready: false }),
    markReady(service) {
      for (const entry of services) if (entry.process === service) entry.ready = true;
    },
    startedAnything: () => apps.length > 0 || services.length > 0,
    async stopAll(logger) {
      const first = [...apps, ...steps].filter((child) => child.running);
      await Promise.all(first.map((child) => stopWithin(child, APP_STOP_TIMEOUT_MS, logger)));
      for (const { process, ready } of [...services].reverse()) {
        if (ready) {
          await stopWithin(process, SERVICE_STOP_TIMEOUT_MS, logger);
        } else {
          // Still starting (initdb, say): nothing uses it yet, and its helpers would outlive a polite stop.
          process.killGroup();
          await process.exited;
        }
      }
    },
  };
}
