// A closed-loop load generator: `connections` loops each send a request, wait for the answer, and send the
// next, for `durationMs`. Reports completed requests per second and latency percentiles.

import { Pool } from 'undici';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  requests: number;
  errors: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export async function runLoad(options: {
  origin: string;
  connections: number;
  durationMs: number;
  /** Builds connection `connection`'s next request; lets a scenario vary tokens or accounts. */
  request: (n: number, connection: number) => LoadRequest;
  /** Sees each response body, for scenarios that chain (a rotated refresh token feeds the next refresh). */
  onBody?: (body: string, connection: number) => void;
  /** A response counts as an error unless this says it is what the scenario expects. */
  isExpected: (status: number) => boolean;
}): Promise<LoadResult> {
  const pool = new Pool(options.origin, { connections: options.connections, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const deadline = performance.now() + options.durationMs;
  const loop = async (_unused: unknown, connection: number) => {
    while (performance.now() < deadline) {
      const request = options.request(sent, connection);
      sent += 1;
      const started = performance.now();
      try {
        const response = await pool.request({
          method: request.method,
          path: request.path,
          headers: request.headers ?? {},
          body: request.body ?? null,
        });
        if (options.onBody === undefined) await response.body.dump();
        else options.onBody(await response.body.text(), connection);
        if (!options.isExpected(response.statusCode)) errors += 1;
      } catch {
        errors += 1;
      }
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.connections }, loop));
  const elapsedSeconds = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return {
    requests: latencies.length,
    errors,
    perSecond: latencies.length / elapsedSeconds,
    p50Ms: percentile(0.5),
    p99Ms: percentile(0.99),
  };
}
