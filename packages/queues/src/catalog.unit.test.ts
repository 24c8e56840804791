import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jobDefinition, jobOptionsFor, QUEUE_NAMES, queueCatalog } from './index.ts';

const tenantId = '7d3f2a9e-5b1c-4c8e-9f0a-1b2c3d4e5f60';
const connectionId = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

/** Field types a payload may hold: identifiers (UUIDs, integer row ids), enums, dates and lists of those. Free
 * text could carry a secret. */
function isIdLike(schema: z.ZodType): boolean {
  if (schema instanceof z.ZodArray) return isIdLike(schema.element as z.ZodType);
  return (
    schema instanceof z.ZodUUID ||
    (schema instanceof z.ZodNumber && schema.isInt) ||
    schema instanceof z.ZodEnum ||
    schema instanceof z.ZodISODate ||
    schema instanceof z.ZodISODateTime
  );
}

describe('queue catalog', () => {
  it('has the five queues of the design, and webhooks', () => {
    expect(QUEUE_NAMES.sort()).toEqual([
      'capi-events',
      'klaviyo-sync',
      'refresh',
      'spend-hourly',
      'spend-nightly',
      'webhooks',
    ]);
  });

  it('lets payloads carry only ids, enums and dates', () => {
    for (const [queue, jobs] of Object.entries(queueCatalog)) {
      for (const [job, definition] of Object.entries(jobs)) {
        for (const [field, schema] of Object.entries(definition.payload.shape)) {
          expect(isIdLike(schema as z.ZodType), `${queue}/${job}.${field}`).toBe(true);
        }
      }
    }
  });

  it('rejects a payload with an extra field such as a token', () => {
    const definition = jobDefinition('refresh', 'refresh-connection');
    const attempt = definition.payload.safeParse({ tenantId, connectionId, reason: 'due', accessToken: 'EAAB-secret' });
    expect(attempt.success).toBe(false);
  });

  it('deduplicates refreshes per connection with at most one waiting behind the active one', () => {
    const definition = jobDefinition('refresh', 'refresh-connection');
    const options = jobOptionsFor(definition, { tenantId, connectionId, reason: 'due' });
    expect(options.deduplication).toEqual({ id: `connection:${connectionId}`, keepLastIfActive: true });
    expect(options.attempts).toBe(5);
  });

  it('deduplicates hourly spend per (account, hour) and nightly spend per (account, range)', () => {
    const hourly = jobOptionsFor(jobDefinition('spend-hourly', 'sync-hourly-spend'), {
      tenantId,
      adAccountId: connectionId,
      tickHour: '2026-11-21T10:00:00Z',
    });
    expect(hourly.deduplication).toEqual({ id: `account:${connectionId}:2026-11-21T10:00:00Z` });
    const nightly = jobOptionsFor(jobDefinition('spend-nightly', 'restate-spend'), {
      tenantId,
      adAccountId: connectionId,
      from: '2026-10-24',
      to: '2026-11-20',
      reason: 'nightly',
    });
    expect(nightly.deduplication).toEqual({ id: `account:${connectionId}:2026-10-24:2026-11-20` });
  });

  it('fails loudly on a job the catalog does not know', () => {
    expect(() => jobDefinition('refresh', 'nope' as never)).toThrow('queue "refresh" has no job "nope"');
  });
});
