// One row per spend sync job: what it asked for, how many rows it wrote, how long it took and how it ended.
// Operators and the admin page read them to see when an account last synced and why one failed.

import { sql } from 'kysely';
import type { Db } from '../create-database.ts';
import type { Provider, SyncKind, SyncRun } from '../schema.ts';

export interface SyncRunStart {
  tenantId: string;
  connectionId: string;
  adAccountId: string;
  provider: Provider;
  kind: SyncKind;
  jobId: string | null;
  from: string;
  to: string;
}

export async function startSyncRun(db: Db, run: SyncRunStart): Promise<string> {
  const row = await db
    .insertInto('sync_runs')
    .values({
      tenant_id: run.tenantId,
      connection_id: run.connectionId,
      ad_account_id: run.adAccountId,
      provider: run.provider,
      kind: run.kind,
      job_id: run.jobId,
      range_start: run.from,
      range_end: run.to,
      status: 'running',
      error_code: null,
      error_message: null,
      finished_at: null,
      duration_ms: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export type SyncRunEnd =
  | { status: 'succeeded'; rowsWritten: number }
  | { status: 'failed'; rowsWritten: number; errorCode: string; errorMessage: string };

export async function finishSyncRun(db: Db, id: string, end: SyncRunEnd): Promise<void> {
  await db
    .updateTable('sync_runs')
    .set({
      status: end.status,
      rows_written: end.rowsWritten,
      error_code: end.status === 'failed' ? end.errorCode : null,
      error_message: end.status === 'failed' ? end.errorMessage : null,
      finished_at: sql<Date>`now()`,
      duration_ms: sql<number>`(extract(epoch FROM now() - started_at) * 1000)::int`,
    })
    .where('id', '=', id)
    .execute();
}

export async function listSyncRuns(
  db: Db,
  key: { tenantId: string; adAccountId?: string | undefined; limit: number },
): Promise<SyncRun[]> {
  let query = db.selectFrom('sync_runs').selectAll().where('tenant_id', '=', key.tenantId);
  if (key.adAccountId !== undefined) query = query.where('ad_account_id', '=', key.adAccountId);
  return query.orderBy('started_at', 'desc').limit(key.limit).execute();
}
