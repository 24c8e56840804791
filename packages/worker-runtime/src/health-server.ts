// The worker's small HTTP server: /healthz (alive), /readyz (Postgres and Redis reachable) and
// /metrics (Prometheus). Kept off the job path so a busy worker still answers probes.

import { createServer, type Server } from 'node:http';
import { describeUnready, type Readiness } from '@adsync/health';
import type { Registry } from '@adsync/metrics';

export interface HealthServerDeps {
  registry: Registry;
  isAlive: () => boolean;
  readiness: () => Promise<Readiness>;
}

export function createHealthServer(deps: HealthServerDeps): Server {
  return createServer((request, response) => {
    const reply = (status: number, body: unknown, contentType = 'application/json') => {
      response.writeHead(status, { 'content-type': contentType });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const path = (request.url ?? '/').split('?')[0];
    const handle = async () => {
      if (request.method !== 'GET') return reply(405, { error: { code: 'method_not_allowed', message: 'Use GET.' } });
      if (path === '/healthz') {
        return deps.isAlive()
          ? reply(200, { status: 'ok' })
          : reply(503, { error: { code: 'shutting_down', message: 'The worker is shutting down.' } });
      }
      if (path === '/readyz') {
        const readiness = await deps.readiness();
        return readiness.ready
          ? reply(200, { status: 'ready', checks: readiness.checks })
          : reply(503, {
              error: { code: 'not_ready', message: describeUnready(readiness), details: readiness.checks },
            });
      }
      if (path === '/metrics') return reply(200, await deps.registry.metrics(), deps.registry.contentType);
      return reply(404, { error: { code: 'not_found', message: 'Try /healthz, /readyz or /metrics.' } });
    };
    handle().catch(() => reply(500, { error: { code: 'internal_error', message: 'Health check failed.' } }));
  });
}
