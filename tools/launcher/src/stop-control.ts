// Who asked the launcher to stop, and with which exit code: a signal (0), a crashed child or a failed
// start-up step (1). A second signal does not wait for anything.

import type { Logger } from '@adsync/logging';
import { killAllManagedProcesses } from './managed-process.ts';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const REPEATED_SIGNAL_WINDOW_MS = 1_500;

/** Thrown out of a start-up step when a stop was requested meanwhile. */
export class StopRequested extends Error {
  override name = 'StopRequested';
}

export interface StopControl {
  /** Resolves with the exit code once anything requests a stop. */
  readonly requested: Promise<number>;
  /** The exit code of the first stop request, or undefined while nobody has asked. */
  code(): number | undefined;
  /** The first request wins; later ones (e.g. a child exiting during shutdown) change nothing. */
  request(code: number): void;
  /** Awaits a start-up step unless a stop is requested first; then throws StopRequested. */
  step<T>(promise: Promise<T>): Promise<T>;
  /** Removes the signal handlers. */
  dispose(): void;
}

export function createStopControl(logger: Logger): StopControl {
  let stopCode: number | undefined;
  let resolveRequested: (code: number) => void = () => undefined;
  const requested = new Promise<number>((resolve) => {
    resolveRequested = resolve;
  });
  const request = (code: number) => {
    if (stopCode !== undefined) return;
    stopCode = code;
    resolveRequested(code);
  };

  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstSignalAt === undefined) {
      firstSignalAt = Date.now();
      logger.info(`${signal}: stopping everything (Ctrl-C again forces it)`);
      request(0);
      return;
    }
    // One Ctrl-C can arrive twice: from the terminal and again from a wrapper such as `pnpm start`,
    // which forwards signals to its child. Only a later one is a person asking to force the stop.
    if (Date.now() - firstSignalAt < REPEATED_SIGNAL_WINDOW_MS) return;
    logger.warn('Stopping now: killing every process the launcher started');
    killAllManagedProcesses();
    process.exit(130);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);

  return {
    requested,
    code: () => stopCode,
    request,
    step(promise) {
      // The abandoned step fails once shutdown stops the process it waits for; nobody needs that error.
      promise.catch(() => undefined);
      return Promise.race([
        promise,
        requested.then((): never => {
          throw new StopRequested();
        }),
      ]);
    },
    dispose() {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    },
  };
}
