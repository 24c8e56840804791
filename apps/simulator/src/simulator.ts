// Builds the simulator: one Fastify app, each platform under its own prefix (/meta, /google, /tiktok,
// /klaviyo) and the control API under /_control. It never listens by itself, so tests can embed it.

import formBody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { controlRoutes } from './control/control.route.ts';
import { createClock } from './core/clock.ts';
import { createFaults } from './core/faults.ts';
import type { SimulatedPlatform, SimulatorContext } from './core/platform.ts';
import { createRecorder } from './core/recorder.ts';
import { PLATFORM_FACTORIES } from './platforms.ts';
import { type SimulatorOptionsInput, simulatorOptionsSchema } from './simulator-options.ts';

export interface Simulator {
  app: FastifyInstance;
  context: SimulatorContext;
  platforms: readonly SimulatedPlatform[];
}

export interface SimulatorSettings {
  logger?: FastifyInstance['log'] | false;
  /** Which platforms to mount; all of them by default (a platform's own tests may mount just theirs). */
  platforms?: readonly ((context: SimulatorContext) => SimulatedPlatform)[];
}

export async function buildSimulator(
  options: SimulatorOptionsInput = {},
  settings: SimulatorSettings = {},
): Promise<Simulator> {
  const faults = createFaults();
  const context: SimulatorContext = {
    options: simulatorOptionsSchema.parse(options),
    clock: createClock(),
    recorder: createRecorder(),
    faults,
  };
  const app = Fastify({
    ...(settings.logger ? { loggerInstance: settings.logger } : { logger: false }),
    bodyLimit: 10 * 1024 * 1024,
    // The platforms answer on paths with and without trailing slashes differently (TikTok requires them).
    routerOptions: { ignoreTrailingSlash: false },
  }) as unknown as FastifyInstance;
  await app.register(formBody);

  const platforms = (settings.platforms ?? PLATFORM_FACTORIES).map((create) => create(context));
  for (const platform of platforms) {
    const prefix = `/${platform.id}`;
    await app.register(
      async (scope) => {
        scope.addHook('onRequest', faults.hook(platform.id, prefix));
        scope.addHook('onResponse', async (request, reply) => {
          const route = (request.routeOptions.url ?? 'unmatched').slice(prefix.length);
          context.recorder.countRequest(platform.id, `${request.method} ${route}`, reply.statusCode);
        });
        await platform.routes(scope);
      },
      { prefix },
    );
  }
  await app.register(controlRoutes(context, faults, platforms), { prefix: '/_control' });
  app.get('/healthz', async () => ({ status: 'ok' }));
  return { app, context, platforms };
}

export interface RunningSimulator extends Simulator {
  /** e.g. http://127.0.0.1:41234 — platform base URLs are this plus /meta, /google, … */
  url: string;
  close(): Promise<void>;
}

/** Builds and listens (port 0 picks a free port), for tests and the standalone app. */
export async function startSimulator(
  listen: { host?: string; port?: number } = {},
  options: SimulatorOptionsInput = {},
  settings: SimulatorSettings = {},
): Promise<RunningSimulator> {
  const simulator = await buildSimulator(options, settings);
  const address = await simulator.app.listen({ host: listen.host ?? '127.0.0.1', port: listen.port ?? 0 });
  return { ...simulator, url: address, close: () => simulator.app.close() };
}
