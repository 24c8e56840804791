// The simulator as a standalone process: `pnpm --filter @adsync/simulator dev`, and part of `./adsync start`.

import { loadConfigOrExit, simulatorConfigSchema } from '@adsync/config';
import { createLogger, logFormatFor } from '@adsync/logging';
import { startSimulator } from './simulator.ts';

const config = loadConfigOrExit(simulatorConfigSchema, 'simulator');
const logger = createLogger({ name: 'simulator', level: config.LOG_LEVEL, format: logFormatFor(config) });

const simulator = await startSimulator(
  { host: config.SIMULATOR_HOST, port: config.SIMULATOR_PORT },
  config.SIMULATOR_OPTIONS,
  { logger },
);
logger.info(
  { url: simulator.url, platforms: simulator.platforms.map((platform) => platform.id) },
  `simulator listening at ${simulator.url} (platforms under /meta, /google, /tiktok, /klaviyo; control at /_control)`,
);

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) process.exit(1);
  stopping = true;
  logger.info({ signal }, 'shutting down');
  await simulator.close();
  logger.flush();
  process.exit(0);
}
process.on('SIGTERM', (signal) => void stop(signal));
process.on('SIGINT', (signal) => void stop(signal));
