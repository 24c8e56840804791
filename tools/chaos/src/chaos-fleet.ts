// The fleet under test, one OS process per app instance as production runs it: the simulator (the ad
// platforms, never disturbed), the gateway, and two instances of each worker app. Worker instances are the
// ones the suite SIGKILLs; any instance that stops — killed or on its own — is started again, the way an
// orchestrator would, and every stop is counted.

import {
  type ManagedProcess,
  type ProcessOutput,
  REPO_ROOT,
  startManagedProcess,
  stopManagedProcess,
  waitForReady,
} from '@adsync/launcher';

const WORKER_APPS = ['worker-refresh', 'worker-spend', 'worker-capi', 'worker-klaviyo'] as const;
const INSTANCES_PER_WORKER = 2;
const RESTART_AFTER_MS = 1_500;

interface Instance {
  readonly name: string;
  readonly entry: string;
  process: ManagedProcess;
  killedByUs: boolean;
}

export interface FleetFigures {
  killed: number;
  /** Stops the suite did not cause: a crash of ours. */
  stoppedOnTheirOwn: { name: string; exit: string }[];
}

export interface ChaosFleet {
  /** SIGKILLs one random worker instance; it is started again shortly after. Returns its name. */
  killRandomWorker(random: () => number): string;
  figures(): FleetFigures;
  /** Stops the gateway and the workers, leaving the simulator up for the checks. */
  stopApps(): Promise<void>;
  stop(): Promise<void>;
}

export async function startChaosFleet(options: {
  env: NodeJS.ProcessEnv;
  output: ProcessOutput;
  gatewayUrl: string;
  simulatorUrl: string;
}): Promise<ChaosFleet> {
  const figures: FleetFigures = { killed: 0, stoppedOnTheirOwn: [] };
  let stopping = false;

  const spawn = (name: string, entry: string) =>
    startManagedProcess({
      name,
      command: process.execPath,
      args: [entry],
      cwd: REPO_ROOT,
      env: options.env,
      output: options.output,
    });

  const supervise = (instance: Instance) => {
    void instance.process.exited.then(() => {
      if (stopping) return;
      if (!instance.killedByUs) {
        figures.stoppedOnTheirOwn.push({ name: instance.name, exit: instance.process.describeExit() });
      }
      setTimeout(() => {
        if (stopping) return;
        instance.killedByUs = false;
        instance.process = spawn(instance.name, instance.entry);
        supervise(instance);
      }, RESTART_AFTER_MS);
    });
  };

  const start = (name: string, entry: string): Instance => {
    const instance: Instance = { name, entry, process: spawn(name, entry), killedByUs: false };
    supervise(instance);
    return instance;
  };

  const simulator = start('simulator', 'apps/simulator/src/main.ts');
  if (!(await waitForReady({ url: `${options.simulatorUrl}/_control/requests`, timeoutMs: 30_000 }))) {
    throw new Error('the simulator did not start; see test-artifacts/chaos/fleet.log');
  }
  const gateway = start('gateway', 'apps/gateway/src/main.ts');
  if (!(await waitForReady({ url: `${options.gatewayUrl}/readyz`, timeoutMs: 60_000 }))) {
    throw new Error('the gateway did not become ready; see test-artifacts/chaos/fleet.log');
  }
  const workers = WORKER_APPS.flatMap((app) =>
    Array.from({ length: INSTANCES_PER_WORKER }, (_, index) => start(`${app}#${index + 1}`, `apps/${app}/src/main.ts`)),
  );

  const stopApps = async () => {
    stopping = true;
    await Promise.all(workers.map((instance) => stopManagedProcess(instance.process, 'SIGTERM', 30_000)));
    await stopManagedProcess(gateway.process, 'SIGTERM', 30_000);
  };

  return {
    killRandomWorker(random) {
      const running = workers.filter((instance) => instance.process.running);
      const victim = running[Math.floor(random() * running.length)];
      if (victim === undefined) return 'nobody (every worker is restarting)';
      victim.killedByUs = true;
      victim.process.killGroup();
      figures.killed += 1;
      return victim.name;
    },
    figures: () => figures,
    stopApps,
    async stop() {
      await stopApps();
      await stopManagedProcess(simulator.process, 'SIGTERM', 10_000);
    },
  };
}
