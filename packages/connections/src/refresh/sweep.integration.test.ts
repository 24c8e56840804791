import { createTenant, insertConnection } from '@adsync/db';
import { createQueueProducer, type QueueProducer } from '@adsync/queues';
import { useTestEnvironment } from '@adsync/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { enqueueDueRefreshes } from './sweep.ts';

const env = useTestEnvironment();
let producer: QueueProducer;

beforeAll(() => {
  producer = createQueueProducer({ connection: env.redis, prefix: env.queuePrefix });
});
afterAll(() => producer?.close());

it('pages through every due live connection, once each, and nothing else', async () => {
  const now = new Date();
  const due: string[] = [];
  const connect = async (status: 'active' | 'degraded' | 'needs_reauth', nextRefreshAt: Date | null) => {
    const tenant = await createTenant(env.db, { name: 'sweep' });
    const connection = await insertConnection(env.db, {
      tenant_id: tenant.id,
      provider: 'google',
      auth_method: 'oauth',
      status,
      next_refresh_at: nextRefreshAt,
    });
    return connection.id;
  };
  // Seven due, several at the very same instant (the keyset must page through ties by id).
  for (let index = 0; index < 4; index += 1) due.push(await connect('active', now));
  for (let index = 0; index < 3; index += 1)
    due.push(await connect('degraded', new Date(now.getTime() - index * 1_000)));
  await connect('active', new Date(now.getTime() + 60_000));
  await connect('needs_reauth', now);
  await connect('active', null);

  expect(await enqueueDueRefreshes({ db: env.db, producer }, now, 3)).toBe(7);
  const jobs = await producer.queue('refresh').getJobs(['prioritized', 'waiting']);
  expect(jobs.map((job) => job.data.connectionId).sort()).toEqual([...due].sort());
  // A second sweep before any refresh ran adds nothing: each connection's job is deduplicated.
  await enqueueDueRefreshes({ db: env.db, producer }, now, 3);
  expect(await producer.queue('refresh').getJobs(['prioritized', 'waiting'])).toHaveLength(7);
});
