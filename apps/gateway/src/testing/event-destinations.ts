// A brand ready to send conversion events in a gateway test: Meta and TikTok connected through the real
// flow, and one destination per platform on the simulator's test pixels, using those connections' tokens.

import { listConnections } from '@adsync/db';
import { startWorkerProcess, type WorkerProcess } from '@adsync/testing';
import { expect } from 'vitest';
import { api, connectByHttp } from './connect-client.ts';
import type { GatewayTestbed } from './use-gateway-with-simulator.ts';

export const META_PIXEL = '2000000000000001'; // reached through act_1000000001
export const TIKTOK_PIXEL = 'CADSYNCTESTPIXEL01';

/** Connects Meta and TikTok for the brand and adds a destination on each; returns the destination ids. */
export async function connectEventDestinations(
  testbed: GatewayTestbed,
  brand: { tenantId: string; apiKey: string },
): Promise<Record<'meta' | 'tiktok', string>> {
  await connectByHttp(testbed.gateway.url, brand.apiKey, 'meta', { accounts: ['act_1000000001'] });
  await connectByHttp(testbed.gateway.url, brand.apiKey, 'tiktok', { accounts: ['7000000000000000005'] });
  const connections = await listConnections(testbed.env.db, brand.tenantId);
  const ids = { meta: '', tiktok: '' };
  for (const provider of ['meta', 'tiktok'] as const) {
    const answer = await api(testbed.gateway.url, brand.apiKey, 'POST', '/v1/events/destinations', {
      provider,
      pixelId: provider === 'meta' ? META_PIXEL : TIKTOK_PIXEL,
      connectionId: connections.find((row) => row.provider === provider)?.id,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    ids[provider] = String(answer.body.id);
  }
  return ids;
}

/** worker-capi as a real process on the testbed's Postgres, Redis and simulator, batching after 50 ms. */
export function startCapiWorker(testbed: GatewayTestbed): Promise<WorkerProcess> {
  return startWorkerProcess('worker-capi', {
    ...testbed.env.env,
    SIMULATOR_URL: testbed.sim.url,
    PUBLIC_BASE_URL: testbed.gateway.url,
    EVENTS_LINGER_MS: '50',
  });
}
