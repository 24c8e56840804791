// What Bull Board shows of a job that failed with secrets in its text: a real BullMQ worker fails a real job
// with an error whose message and stack quote an access token in a URL, a Bearer header, a Klaviyo private
// key, a tenant API key, a webhook signing secret and an email address, and logs one of them too. An
// operator reading the board's API (the failed list, the job, its logs) sees none of them, in any spelling,
// and still sees what failed; the job's data stays redacted by key.

import { randomBytes, randomUUID } from 'node:crypto';
import { upsertOperator } from '@adsync/db';
import { useTestEnvironment } from '@adsync/testing';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';
import { type ScanSource, type Secret, scanForSecrets } from '../testing/secret-scanner.ts';

const env = useTestEnvironment();
let gateway: TestGateway;
const operator = { email: 'viewer@ops.example', token: `op_${randomBytes(24).toString('base64url')}` };
const asOperator = {
  authorization: `Basic ${Buffer.from(`${operator.email}:${operator.token}`).toString('base64')}`,
};

const alphanumeric = (length: number) =>
  Array.from(
    randomBytes(length),
    (byte) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[byte % 62],
  ).join('');
const secrets = {
  metaToken: `EAA${alphanumeric(60)}`,
  bearer: randomBytes(30).toString('base64url'),
  klaviyoKey: `pk_${randomBytes(17).toString('hex')}`,
  tenantApiKey: `adsync_${randomBytes(32).toString('base64url')}`,
  webhookSecret: `whsec_${randomBytes(32).toString('base64url')}`,
  refreshToken: randomBytes(24).toString('hex'),
  profileEmail: `shopper-${randomBytes(6).toString('hex')}@brand.example`,
  dataToken: randomBytes(24).toString('base64url'),
};

beforeAll(async () => {
  gateway = await startTestGateway({ db: env.db, redisUrl: env.redisUrl, queuePrefix: env.queuePrefix });
  await upsertOperator(env.db, { email: operator.email, role: 'viewer', token: operator.token });
});
afterAll(async () => {
  await gateway?.close();
});

/** A refresh job that a BullMQ worker ran and failed, the way a platform error would leave it. */
async function failJobWithSecrets(): Promise<string> {
  const connection = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('refresh', { connection, prefix: env.queuePrefix });
  const id = `board-redaction-${randomUUID()}`;
  const worker = new Worker(
    'refresh',
    async (job) => {
      await job.log(`POST https://a.klaviyo.com/api/profile-subscription-bulk-create-jobs for ${secrets.profileEmail}`);
      await job.log(`sent "Authorization: Klaviyo-API-Key ${secrets.klaviyoKey}"`);
      const error = new Error(
        `GET https://graph.facebook.com/v25.0/me/adaccounts?fields=id,name&access_token=${secrets.metaToken} ` +
          `answered 400 (request had "authorization: Bearer ${secrets.bearer}"); the key ${secrets.klaviyoKey} ` +
          `of ${secrets.tenantApiKey} was refused`,
      );
      error.stack =
        `${error.stack ?? ''}\n` +
        `    at signWebhook (packages/connections/src/webhooks/webhook-signature.ts:12:3) with ${secrets.webhookSecret}\n` +
        `    at refresh (https://oauth2.googleapis.com/token?grant_type=refresh_token&refresh_token=${secrets.refreshToken})`;
      throw error;
    },
    { connection: connection.duplicate(), prefix: env.queuePrefix },
  );
  try {
    await queue.add(
      'refresh-connection',
      { tenantId: randomUUID(), connectionId: randomUUID(), reason: 'due', accessToken: secrets.dataToken },
      { jobId: id, attempts: 1 },
    );
    await expect.poll(() => queue.getJobState(id), { timeout: 10_000 }).toBe('failed');
    const stored = await queue.getJob(id);
    // The secrets are really there, in what BullMQ keeps: the board is what must not show them.
    expect(stored?.failedReason).toContain(secrets.metaToken);
    expect((stored?.stacktrace ?? []).join('\n')).toContain(secrets.refreshToken);
  } finally {
    await worker.close();
    await queue.close();
    connection.disconnect();
  }
  return id;
}

async function board(path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${gateway.url}/queues/api${path}`, { headers: asOperator });
  return { status: response.status, text: await response.text() };
}

describe('Bull Board redaction', () => {
  it('shows a failed job without the secrets its message, stack and logs hold, and still says what failed', async () => {
    const id = await failJobWithSecrets();
    const paths = [
      '/queues?activeQueue=refresh&status=failed',
      '/queues?activeQueue=refresh&status=latest',
      `/queues/refresh/${id}`,
      `/queues/refresh/${id}/logs`,
    ];
    const sources: ScanSource[] = [];
    for (const path of paths) {
      const answer = await board(path);
      expect(answer.status, `${path}: ${answer.text}`).toBe(200);
      sources.push({ name: `board GET ${path}`, text: answer.text });
    }
    const scanned: Secret[] = Object.entries(secrets).map(([name, value]) => ({ name, value }));
    expect(scanForSecrets(scanned, sources)).toEqual([]);

    const { job } = JSON.parse(sources[2]?.text ?? '{}') as {
      job: { failedReason: string; stacktrace: string[]; data: Record<string, unknown> };
    };
    expect(job.failedReason).toBe(
      'GET https://graph.facebook.com/v25.0/me/adaccounts?fields=id,name&access_token=[redacted] answered 400 ' +
        '(request had "authorization: [redacted]"); the key [redacted] of [redacted] was refused',
    );
    expect(job.stacktrace.join('\n')).toContain(
      'at signWebhook (packages/connections/src/webhooks/webhook-signature.ts',
    );
    expect(job.stacktrace.join('\n')).toContain('grant_type=refresh_token&refresh_token=[redacted])');
    // Data is still redacted by key, and its ids are still there to read.
    expect(job.data).toMatchObject({ accessToken: '[redacted]', reason: 'due' });
    expect(job.data.connectionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(sources[3]?.text ?? '[]')).toEqual([
      'POST https://a.klaviyo.com/api/profile-subscription-bulk-create-jobs for [redacted]',
      'sent "Authorization: [redacted]"',
    ]);
  });
});
