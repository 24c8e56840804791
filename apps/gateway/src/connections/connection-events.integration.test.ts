// GET /v1/connections/{id}/events a page at a time: `?limit&cursor` → `{ events, nextCursor }`, newest
// first, with opaque keyset cursors. Paging a trail of 230 events (30 of them written in one transaction,
// so they share one created_at to the microsecond) returns each event exactly once; an unbounded or
// oversized read, and a cursor the API did not give, are refused with 400 and change nothing; another
// tenant's cursor or connection is still 404.

import { createTenantWithKey, type Db, insertConnection, recordConnectionEvent } from '@adsync/db';
import { useTestEnvironment } from '@adsync/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../testing/connect-client.ts';
import { startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';

const env = useTestEnvironment();
let gateway: TestGateway;
let owner: { apiKey: string; tenantId: string; connectionId: string };
let other: { apiKey: string };
/** The trail's event types, newest first, as the API must return them. */
let expected: string[] = [];

const TRAIL = 230;
const BATCH = 30;

async function seedTrail(db: Db, tenantId: string, connectionId: string): Promise<string[]> {
  const written: string[] = [];
  const record = async (writer: Db, index: number) => {
    const type = `event_${String(index).padStart(3, '0')}`;
    await recordConnectionEvent(writer, { tenantId, connectionId, type, message: `#${index}` });
    written.push(type);
  };
  for (let index = 0; index < TRAIL - BATCH; index += 1) {
    // One transaction's events share now(): a page boundary inside them must not lose any.
    if (index === 100) {
      await db.transaction().execute(async (trx) => {
        for (let inBatch = 0; inBatch < BATCH; inBatch += 1) await record(trx, TRAIL - BATCH + inBatch);
      });
    }
    await record(db, index);
  }
  return written.reverse();
}

async function eventsOf(path: string, apiKey = owner.apiKey) {
  return api(gateway.url, apiKey, 'GET', `/v1/connections/${owner.connectionId}/events${path}`);
}

async function eventCount(): Promise<number> {
  const row = await env.db
    .selectFrom('connection_events')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

beforeAll(async () => {
  gateway = await startTestGateway({ db: env.db, redisUrl: env.redisUrl, queuePrefix: env.queuePrefix });
  const a = await createTenantWithKey(env.db, { name: 'A', keyName: 't' });
  const b = await createTenantWithKey(env.db, { name: 'B', keyName: 't' });
  const connection = await insertConnection(env.db, {
    tenant_id: a.tenant.id,
    provider: 'meta',
    auth_method: 'oauth',
    status: 'active',
  });
  owner = { apiKey: a.apiKey, tenantId: a.tenant.id, connectionId: connection.id };
  other = { apiKey: b.apiKey };
  expected = await seedTrail(env.db, owner.tenantId, owner.connectionId);
}, 60_000);
afterAll(async () => {
  await gateway?.close();
});

describe('GET /v1/connections/{id}/events', () => {
  it('gives the newest 50 by default, with a cursor to the next page', async () => {
    const first = await eventsOf('');
    expect(first.status).toBe(200);
    const events = first.body.events as { type: string; message: string; at: string }[];
    expect(events.map((event) => event.type)).toEqual(expected.slice(0, 50));
    expect(first.body.nextCursor).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));
  });

  it('pages through the whole trail once, in order, across a transaction written at one instant', async () => {
    for (const limit of [1, 7, 29, 30, 31, 100, 500]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const answer = await eventsOf(`?limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`);
        expect(answer.status, `limit ${limit}: ${JSON.stringify(answer.body)}`).toBe(200);
        const page = answer.body.events as { type: string }[];
        expect(page.length).toBeLessThanOrEqual(limit);
        seen.push(...page.map((event) => event.type));
        cursor = answer.body.nextCursor as string | null;
        pages += 1;
      } while (cursor !== null && pages <= TRAIL);
      expect(seen, `limit ${limit}`).toEqual(expected);
      // The last page says there is no next one (no empty page to fetch).
      expect(pages, `limit ${limit}`).toBe(Math.ceil(TRAIL / limit));
    }
  }, 120_000);

  it('refuses an unbounded read and cursors it did not give with 400 invalid_request, changing nothing', async () => {
    const before = await eventCount();
    const refused: [string, RegExp][] = [
      ['?limit=0', /at query limit/],
      ['?limit=501', /at query limit/],
      ['?limit=100000', /at query limit/],
      ['?limit=-1', /at query limit/],
      ['?limit=ten', /at query limit/],
      ['?limit=1.5', /at query limit/],
      ['?cursor=not-a-cursor', /at query cursor: is not a cursor this API gave/],
      [`?cursor=${Buffer.from('2026-11-22T04:56:21.123Z|5').toString('base64url')}`, /cursor/],
      [`?cursor=${Buffer.from('2026-11-22T04:56:21.123456Z|0').toString('base64url')}`, /cursor/],
      [
        `?cursor=${Buffer.from("2026-11-22T04:56:21.123456Z|5'; DELETE FROM connection_events; --").toString('base64url')}`,
        /cursor/,
      ],
      [`?cursor=${Buffer.from('2026-13-45T99:99:99.999999Z|5').toString('base64url')}`, /cursor/],
      [`?cursor=${Buffer.from('2026-11-22T04:56:21.123456Z|5|6').toString('base64url')}`, /cursor/],
      // A dead letters' cursor (a failure time and a uuid) is not an events cursor.
      [
        `?cursor=${Buffer.from('2026-11-22T04:56:21.123Z|0b0e6f3c-3c39-4c4e-9b1a-2f8e9c1d7a10').toString('base64url')}`,
        /cursor/,
      ],
      [`?cursor=${'A'.repeat(201)}`, /at query cursor/],
      ['?after=x', /at query/],
    ];
    for (const [query, message] of refused) {
      const answer = await eventsOf(query);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error?.code, query).toBe('invalid_request');
      expect(answer.body.error?.message, query).toMatch(message);
    }
    expect(await eventCount()).toBe(before);
  });

  it("answers another tenant 404, with or without the owner's cursor", async () => {
    const first = await eventsOf('?limit=5');
    for (const query of ['', `?cursor=${String(first.body.nextCursor)}`, '?limit=0']) {
      const answer = await eventsOf(query, other.apiKey);
      expect(answer.status, query).toBe(404);
      expect(answer.body.error?.code).toBe('connection_not_found');
    }
  });
});
