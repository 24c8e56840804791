// The simulator on its own port, for benchmarks (same build as `./adsync start`, no request logging).

import { startSimulator } from '@adsync/simulator';

const simulator = await startSimulator({ port: 0 });
console.log(JSON.stringify({ url: simulator.url }));
process.on('SIGTERM', () => void simulator.close().then(() => process.exit(0)));
