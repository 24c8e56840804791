// Simulator throughput: token and report requests per second, beside a bare Fastify route measured in the
// same run. The simulator must never be what limits our other benchmarks (target: >= 5,000 requests/s).

import { startChildServer } from './lib/child-server.ts';
import { type LoadRequest, runLoad } from './lib/load.ts';
import { type BenchRow, printTable } from './lib/print-table.ts';
import { simulatorScenarios } from './simulator-scenarios.ts';

const DURATION_MS = Number(process.argv[2] ?? 5_000);
const CONNECTIONS = 64;

async function measure(
  origin: string,
  request: (n: number, connection: number) => LoadRequest,
  onBody?: (body: string, connection: number) => void,
) {
  const chained = onBody === undefined ? {} : { onBody };
  // A short warm-up so JIT and connection set-up do not count.
  await runLoad({ origin, connections: CONNECTIONS, durationMs: 500, request, isExpected: () => true, ...chained });
  return runLoad({
    origin,
    connections: CONNECTIONS,
    durationMs: DURATION_MS,
    request,
    isExpected: (status) => status < 400,
    ...chained,
  });
}

const rows: BenchRow[] = [];
const bare = await startChildServer(new URL('./lib/bare-fastify-server.ts', import.meta.url).pathname);
const ceilingGet = await measure(bare.url, () => ({ method: 'GET', path: '/bare' }));
const ceilingPost = await measure(bare.url, () => ({
  method: 'POST',
  path: '/bare',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: 'grant_type=refresh_token&refresh_token=x',
}));
await bare.stop();
rows.push({ scenario: 'bare Fastify GET (ceiling)', figure: ceilingGet.perSecond, ceiling: undefined, unit: 'req/s' });
rows.push({
  scenario: 'bare Fastify POST form (ceiling)',
  figure: ceilingPost.perSecond,
  ceiling: undefined,
  unit: 'req/s',
});

// Platform rate limits lifted: this measures the simulator's own capacity, not its throttling.
const unlimited = {
  meta: { callsPerAccountPerHour: 1_000_000_000, callsPerAppPerHour: 1_000_000_000 },
  google: { requestsPerCustomerPerMinute: 1_000_000_000 },
  tiktok: { requestsPerSecond: 1_000_000_000 },
  klaviyo: { rateLimitDivisor: 0.01 },
};
const simulator = await startChildServer(new URL('./lib/simulator-server.ts', import.meta.url).pathname, [
  JSON.stringify(unlimited),
]);
try {
  for (const scenario of await simulatorScenarios(simulator.url, CONNECTIONS)) {
    const result = await measure(simulator.url, scenario.request, scenario.onBody);
    // Each scenario is compared with the bare server answering the same HTTP method.
    const ceiling = scenario.request(0, 0).method === 'POST' ? ceilingPost.perSecond : ceilingGet.perSecond;
    rows.push({
      scenario: scenario.name,
      figure: result.perSecond,
      ceiling,
      unit: 'req/s',
      target: `≥ 5,000 req/s: ${result.perSecond >= 5_000 ? 'met' : 'MISSED'}`,
      note: `p99 ${result.p99Ms.toFixed(1)} ms; errors ${result.errors}`,
    });
  }
} finally {
  await simulator.stop();
}
printTable(rows);
