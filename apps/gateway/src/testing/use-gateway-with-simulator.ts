// One test file's world: the test environment's Postgres and Redis, a simulator of every platform, and a
// gateway listening on a free port and pointed at that simulator. Started once per file, closed after it.

import type { Logger } from '@adsync/logging';
import { type RunningSimulator, type SimulatorOptionsInput, startSimulator } from '@adsync/simulator';
import { type TestEnvironment, useTestEnvironment } from '@adsync/testing';
import { afterAll, beforeAll } from 'vitest';
import { startTestGateway, type TestGateway } from './gateway-harness.ts';

export interface GatewayTestbed {
  readonly env: TestEnvironment;
  readonly sim: RunningSimulator;
  readonly gateway: TestGateway;
}

export function useGatewayWithSimulator(
  options: {
    logger?: Logger;
    environment?: Record<string, string>;
    simulator?: SimulatorOptionsInput;
    rateLimits?: 'relaxed' | 'defaults';
  } = {},
): GatewayTestbed {
  const env = useTestEnvironment();
  let sim: RunningSimulator | undefined;
  let gateway: TestGateway | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0 }, options.simulator);
    gateway = await startTestGateway({
      db: env.db,
      redisUrl: env.redisUrl,
      queuePrefix: env.queuePrefix,
      simulatorUrl: sim.url,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.environment === undefined ? {} : { environment: options.environment }),
      ...(options.rateLimits === undefined ? {} : { rateLimits: options.rateLimits }),
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await sim?.close();
  });
  const started = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`the ${name} starts in beforeAll; use it inside tests`);
    return value;
  };
  return {
    env,
    get sim() {
      return started(sim, 'simulator');
    },
    get gateway() {
      return started(gateway, 'gateway');
    },
  };
}
