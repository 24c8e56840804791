// The simulator on its own port, for benchmarks (same build as `./adsync start`, no request logging).
// argv[2] is a JSON object of simulator options.

import { startSimulator } from '@adsync/simulator';

const options = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const simulator = await startSimulator({ port: 0 }, options);
console.log(JSON.stringify({ url: simulator.url }));
process.on('SIGTERM', () => void simulator.close().then(() => process.exit(0)));
