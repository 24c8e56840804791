// The Klaviyo tick: a lists, a segments and a catalog sync of every live Klaviyo connection. Jobs are deduplicated per
// connection and scope, so a tick that comes while a sync still runs adds at most one more behind it.

import { type Db, findLiveConnections } from '@adsync/db';
import type { QueueProducer } from '@adsync/queues';

const PAGE = 500;
const SCOPES = ['lists', 'segments', 'catalog'] as const;

export async function enqueueKlaviyoSyncs(deps: { db: Db; producer: QueueProducer }): Promise<number> {
  let enqueued = 0;
  let after: string | undefined;
  for (;;) {
    const page = await findLiveConnections(deps.db, {
      provider: 'klaviyo',
      limit: PAGE,
      ...(after === undefined ? {} : { after }),
    });
    if (page.length === 0) return enqueued;
    const jobs = page.flatMap((connection) =>
      SCOPES.map((scope) => ({ tenantId: connection.tenant_id, connectionId: connection.id, scope })),
    );
    await deps.producer.enqueueBulk('klaviyo-sync', 'sync-klaviyo', jobs);
    enqueued += jobs.length;
    after = page.at(-1)?.id;
    if (page.length < PAGE) return enqueued;
  }
}
