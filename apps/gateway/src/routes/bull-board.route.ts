// Bull Board at /queues for operators: every queue of the catalog, and every JSON answer of its API redacted
// on the way out, job data by key and every text by what secrets look like (payloads hold ids only, but a
// failure's message or stack can quote a token, and the board must never become the place a secret leaks).

import { redactSecrets, redactSecretsInText } from '@adsync/logging';
import { QUEUE_NAMES } from '@adsync/queues';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { GatewayDeps } from '../gateway-deps.ts';
import { readOnlyUnlessAdmin, rejectCrossSiteChanges, requireOperator } from '../operators/operator-auth.ts';

export const BULL_BOARD_PATH = '/queues';

/** Every string of a parsed JSON answer through redactSecretsInText, at any depth. */
function redactTexts(value: unknown): unknown {
  if (typeof value === 'string') return redactSecretsInText(value);
  if (Array.isArray(value)) return value.map(redactTexts);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactTexts(inner)]));
  }
  return value;
}

/**
 * What the board's API sends, redacted. Done on the serialized answer rather than with the adapter's
 * formatters: those reach only a job's data, return value, name and progress, while the board also shows
 * failedReason, stacktrace, job logs, flows and Job Scheduler templates, and a later Bull Board may show more.
 */
function redactAnswer(payload: string): string {
  return JSON.stringify(redactTexts(redactSecrets(JSON.parse(payload))));
}

export function bullBoardRoutes(deps: GatewayDeps) {
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', requireOperator(deps.db));
    app.addHook('onRequest', readOnlyUnlessAdmin);
    app.addHook('onRequest', rejectCrossSiteChanges);
    app.addHook('onSend', async (_request, reply, payload) => {
      const json = String(reply.getHeader('content-type') ?? '').startsWith('application/json');
      // Objects arrive serialized; the page, its assets and streams carry no job data.
      return json && typeof payload === 'string' ? redactAnswer(payload) : payload;
    });

    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(BULL_BOARD_PATH);
    const queues = QUEUE_NAMES.map((name) => new BullMQAdapter(deps.producer.queue(name)));
    createBullBoard({ queues, serverAdapter, options: { uiConfig: { boardTitle: 'adsync queues' } } });
    await app.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
  };
}
