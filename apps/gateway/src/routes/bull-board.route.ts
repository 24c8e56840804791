// Bull Board at /queues for operators: every queue of the catalog, job data redacted once more on the
// way out (payloads hold ids only, but the board must never become the place a secret leaks).

import { redactSecrets } from '@adsync/logging';
import { QUEUE_NAMES } from '@adsync/queues';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { GatewayDeps } from '../gateway-deps.ts';
import { readOnlyUnlessAdmin, rejectCrossSiteChanges, requireOperator } from '../operators/operator-auth.ts';

export const BULL_BOARD_PATH = '/queues';

export function bullBoardRoutes(deps: GatewayDeps) {
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', requireOperator(deps.db));
    app.addHook('onRequest', readOnlyUnlessAdmin);
    app.addHook('onRequest', rejectCrossSiteChanges);

    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(BULL_BOARD_PATH);
    const queues = QUEUE_NAMES.map((name) => {
      const adapter = new BullMQAdapter(deps.producer.queue(name));
      adapter.setFormatter('data', redactSecrets);
      adapter.setFormatter('returnValue', redactSecrets);
      return adapter;
    });
    createBullBoard({ queues, serverAdapter, options: { uiConfig: { boardTitle: 'adsync queues' } } });
    await app.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
  };
}
