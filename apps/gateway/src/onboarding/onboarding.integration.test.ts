import { createTenantWithKey } from '@adsync/db';
import { expect, it } from 'vitest';
import { api, connectByHttp } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const testbed = useGatewayWithSimulator();
const { env } = testbed;

type Progress = {
  steps: { step: number; provider: string; status: string }[];
  next: { provider: string } | null;
  complete: boolean;
};

it('tracks steps 4–7: connect, skip, resume; each tenant sees its own', async () => {
  const { apiKey } = await createTenantWithKey(env.db, { name: 'Wizard', keyName: 't' });
  const other = await createTenantWithKey(env.db, { name: 'Other', keyName: 't' });
  const read = async (key = apiKey) =>
    (await api(testbed.gateway.url, key, 'GET', '/v1/onboarding')).body as unknown as Progress;

  const fresh = await read();
  expect(fresh.steps.map((step) => [step.step, step.provider, step.status])).toEqual([
    [4, 'meta', 'not_started'],
    [5, 'google', 'not_started'],
    [6, 'tiktok', 'not_started'],
    [7, 'klaviyo', 'not_started'],
  ]);
  expect(fresh.next?.provider).toBe('meta');

  await connectByHttp(testbed.gateway.url, apiKey, 'meta', { accounts: ['act_1000000001'] });
  const skipped = (await api(testbed.gateway.url, apiKey, 'POST', '/v1/onboarding/google/skip'))
    .body as unknown as Progress;
  expect(skipped.steps.map((step) => step.status)).toEqual(['connected', 'skipped', 'not_started', 'not_started']);
  expect(skipped.next?.provider).toBe('tiktok');

  // Resumable: a later read gives the same place; resuming a skipped step puts it back in line.
  expect((await read()).next?.provider).toBe('tiktok');
  const resumed = (await api(testbed.gateway.url, apiKey, 'POST', '/v1/onboarding/google/resume'))
    .body as unknown as Progress;
  expect(resumed.next?.provider).toBe('google');

  const cannotSkip = await api(testbed.gateway.url, apiKey, 'POST', '/v1/onboarding/meta/skip');
  expect(cannotSkip.status).toBe(409);
  expect(cannotSkip.body.error?.code).toBe('step_connected');
  expect((await api(testbed.gateway.url, apiKey, 'POST', '/v1/onboarding/myspace/skip')).status).toBe(404);

  expect((await read(other.apiKey)).steps.every((step) => step.status === 'not_started')).toBe(true);
});
