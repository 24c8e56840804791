// What must hold after a chaos run, each check returning its figures and the problems it found:
// - events: every id accepted with 202 is counted by each destination's platform exactly once (after the
//   platform's own event_id dedup), or dead-lettered;
// - refreshes: every refreshing connection is active, its access token current, and what we stored is what
//   the platform considers live (the access token answers, the refresh token refreshes);
// - spend: the stored rows of every backfilled day equal the platform's truth at every grain, none twice;
// - jobs: nothing left waiting, retrying, or active without a worker on it, once the fleet had time to settle.

import { type ConnectionKey, openTokenSet, type PlatformClients } from '@adsync/connections';
import type { Keyring } from '@adsync/crypto';
import type { AdAccount, Db, SpendProvider } from '@adsync/db';
import type { ProviderResult, SpendGrain } from '@adsync/providers';
import { expectedSpendRows } from '@adsync/providers/testing/spend-truth';
import { controlSimulator } from '@adsync/simulator';
import { storedSpend } from '@adsync/spend/testing';
import type { EventLoadFigures } from './event-load.ts';
import type { Backlog } from './settle.ts';

export interface CheckResult {
  name: string;
  figures: Record<string, number | string>;
  problems: string[];
}

const MAX_LISTED = 10;

function listed(problems: string[], label: string, ids: readonly string[]): void {
  if (ids.length === 0) return;
  const shown = ids.slice(0, MAX_LISTED).join(', ');
  problems.push(`${label}: ${ids.length} (${shown}${ids.length > MAX_LISTED ? ', …' : ''})`);
}

export async function checkEvents(
  simulatorUrl: string,
  db: Db,
  load: EventLoadFigures,
  pixels: Record<'meta' | 'tiktok', string>,
): Promise<CheckResult> {
  const problems: string[] = [];
  const figures: CheckResult['figures'] = {
    'requests sent': load.requests,
    'answers by status': Object.entries(load.byStatus)
      .map(([status, count]) => `${status}: ${count}`)
      .join(', '),
    'events accepted with 202': load.accepted.size,
  };
  const destinations = await db.selectFrom('capi_destinations').select(['id', 'provider', 'pixel_id']).execute();
  for (const provider of ['meta', 'tiktok'] as const) {
    const destination = destinations.find((row) => row.provider === provider && row.pixel_id === pixels[provider]);
    if (destination === undefined) {
      problems.push(`no ${provider} destination on pixel ${pixels[provider]}`);
      continue;
    }
    const response = await fetch(`${simulatorUrl}/_control/events?destination=${pixels[provider]}`);
    const { events } = (await response.json()) as {
      events: { event: Record<string, unknown>; deduplicated: boolean }[];
    };
    // Conversions the platform counts: a repeat of an event it already has is dropped by its event_id dedup.
    // Repeats happen when a worker dies after the platform took a batch and before the worker noted it.
    const received = new Map<string, number>();
    let resent = 0;
    for (const { event, deduplicated } of events) {
      const id = String(event.event_id);
      if (deduplicated) resent += 1;
      else received.set(id, (received.get(id) ?? 0) + 1);
    }
    const deadRows = await db
      .selectFrom('capi_dead_letters')
      .select('event_id')
      .where('destination_id', '=', destination.id)
      .execute();
    const dead = new Set(deadRows.map((row) => row.event_id));
    const missing: string[] = [];
    const twice: string[] = [];
    const deliveredAndDead: string[] = [];
    for (const id of load.accepted) {
      const times = received.get(id) ?? 0;
      if (times > 1) twice.push(id);
      if (times === 0 && !dead.has(id)) missing.push(id);
      if (times > 0 && dead.has(id)) deliveredAndDead.push(id);
    }
    const neverSent = [...received.keys()].filter((id) => !load.accepted.has(id) && !load.unconfirmed.has(id));
    const unconfirmedArrived = [...load.unconfirmed].filter((id) => received.has(id)).length;
    figures[`${provider}: conversions counted`] = events.length - resent;
    figures[`${provider}: resent, dropped by the platform's dedup`] = resent;
    figures[`${provider}: dead-lettered`] = dead.size;
    figures[`${provider}: unconfirmed but arrived`] = unconfirmedArrived;
    listed(problems, `${provider}: accepted, neither delivered nor dead-lettered`, missing);
    listed(problems, `${provider}: counted more than once by the platform`, twice);
    listed(problems, `${provider}: both delivered and dead-lettered`, deliveredAndDead);
    listed(problems, `${provider}: received but never sent`, neverSent);
  }
  return { name: 'conversion events', figures, problems };
}

/**
 * A SIGKILL that lands after a rotating platform (TikTok, Klaviyo) issued new tokens and before the worker
 * kept them loses the connection: the platform has already revoked the refresh token we hold, and no
 * client can avoid that. Such a loss shows as a stored refresh token that the platform superseded within
 * this long before a SIGKILL.
 */
const ROTATION_KILL_WINDOW_MS = 1_000;

/** When the platform replaced this refresh token by rotation, or null (still current, or not rotating). */
async function supersededAt(simulatorUrl: string, provider: string, refreshToken: string): Promise<number | null> {
  if (provider !== 'tiktok' && provider !== 'klaviyo') return null;
  const answer = (await controlSimulator(simulatorUrl, `${provider}/refresh-token`, { token: refreshToken })) as {
    result?: { supersededAt: number | null };
  };
  return answer.result?.supersededAt ?? null;
}

export async function checkRefreshes(
  db: Db,
  platforms: PlatformClients,
  keyring: Keyring,
  refreshing: readonly ConnectionKey[],
  run: {
    tokenRequestsDuringRun: number;
    /** When the fleet had settled (and still ran): every token must have been current then. */
    settledAt: number;
    simulatorUrl: string;
    /** When each SIGKILL was sent. */
    killedAt: readonly number[];
  },
): Promise<CheckResult> {
  const problems: string[] = [];
  const broken: string[] = [];
  const killedMidRotation: string[] = [];
  const expired: string[] = [];
  const rejected: string[] = [];
  const { settledAt } = run;
  for (const key of refreshing) {
    const row = await db
      .selectFrom('connections')
      .selectAll()
      .where('id', '=', key.connectionId)
      .where('tenant_id', '=', key.tenantId)
      .executeTakeFirst();
    if (row === undefined || row.status !== 'active') {
      const held = row === undefined ? undefined : openTokenSet(keyring, row)?.refreshToken;
      const replaced = held == null ? null : await supersededAt(run.simulatorUrl, row?.provider ?? '', held);
      const killed =
        replaced !== null && run.killedAt.some((at) => at >= replaced && at - replaced <= ROTATION_KILL_WINDOW_MS);
      const described = `${key.connectionId} (${row?.provider} ${row?.status ?? 'gone'}: ${row?.last_error_code ?? ''})`;
      (killed ? killedMidRotation : broken).push(described);
      continue;
    }
    const expiresAt = row.access_token_expires_at?.getTime() ?? 0;
    if (expiresAt <= settledAt) expired.push(`${row.provider} ${row.id}`);
    const tokens = openTokenSet(keyring, row);
    if (tokens === undefined) {
      broken.push(`${row.id} (${row.provider}: no stored token)`);
      continue;
    }
    const client = platforms.oauth(row.provider);
    // The stored access token still answers (unless it has run out since the fleet stopped), then the stored
    // refresh token still refreshes: nothing a killed process held in memory was the only copy. (This last
    // refresh is not stored: the run is over.)
    const answered = expiresAt - Date.now() > 5_000 ? await patiently(() => client.listAccounts(tokens)) : undefined;
    const refreshed = await patiently(() => client.refresh(tokens));
    if (answered !== undefined && !answered.ok) {
      rejected.push(`${row.provider} ${row.id}: access token refused (${answered.error.code})`);
    } else if (!refreshed.ok) {
      rejected.push(`${row.provider} ${row.id}: refresh token refused (${refreshed.error.code})`);
    }
  }
  listed(problems, 'connections no longer active', broken);
  listed(problems, 'access tokens left to expire (a due refresh did not happen)', expired);
  listed(problems, 'stored credentials the platform refuses', rejected);
  return {
    name: 'token refreshes',
    figures: {
      'refreshing connections': refreshing.length,
      'token requests the platforms answered 200 during the run': run.tokenRequestsDuringRun,
      'active, with a current token the platform accepts':
        refreshing.length - broken.length - killedMidRotation.length - expired.length - rejected.length,
      'lost to a SIGKILL between a rotation and its write (unavoidable)': killedMidRotation.length,
    },
    problems,
  };
}

/** A platform call, again after the wait the platform asks for when it throttles (Klaviyo's tiers are low). */
async function patiently<T>(call: () => Promise<ProviderResult<T>>): Promise<ProviderResult<T>> {
  for (let attempt = 1; ; attempt += 1) {
    const result = await call();
    if (result.ok || result.error.code !== 'rate_limited' || attempt === 5) return result;
    await new Promise((resolve) => setTimeout(resolve, result.error.retryAfterMs ?? 1_000));
  }
}

const GRAINS: SpendGrain[] = ['day', 'hour', 'region'];

export async function checkSpend(
  db: Db,
  simulatorUrl: string,
  accounts: readonly { account: AdAccount; from: string; to: string }[],
): Promise<CheckResult> {
  const problems: string[] = [];
  let compared = 0;
  const wrong: string[] = [];
  for (const { account, from, to } of accounts) {
    for (const grain of GRAINS) {
      const range = { from, to, grain };
      const expected = await expectedSpendRows(
        simulatorUrl,
        account.provider as SpendProvider,
        account.external_id,
        range,
      );
      const stored = await storedSpend(db, account.id, range);
      compared += expected.length;
      const key = (row: { date: string; hour: number | null; region: string | null }) =>
        `${row.date}|${row.hour}|${row.region}`;
      const storedByKey = new Map(stored.map((row) => [key(row), row]));
      const missing = expected.filter((row) => storedByKey.get(key(row)) === undefined).length;
      const differing = expected.filter((row) => {
        const found = storedByKey.get(key(row));
        return found !== undefined && (found.spendMicros !== row.spendMicros || found.clicks !== row.clicks);
      }).length;
      const extra = stored.length - (expected.length - missing);
      if (missing + differing + extra > 0) {
        wrong.push(
          `${account.provider} ${account.external_id} ${grain}: ${missing} missing, ${differing} differ, ${extra} extra`,
        );
      }
    }
  }
  const duplicates = await db
    .selectFrom('ad_spend')
    .select((eb) => [eb.fn.countAll<string>().as('rows')])
    .groupBy(['tenant_id', 'provider', 'ad_account_id', 'date', 'hour', 'region'])
    .having((eb) => eb.fn.countAll(), '>', 1)
    .execute();
  listed(problems, 'accounts whose stored spend differs from the platform', wrong);
  if (duplicates.length > 0) problems.push(`spend rows stored twice: ${duplicates.length}`);
  const total = await db
    .selectFrom('ad_spend')
    .select((eb) => eb.fn.countAll<string>().as('rows'))
    .executeTakeFirst();
  return {
    name: 'spend',
    figures: {
      'ad accounts backfilled': accounts.length,
      'rows compared with the platform': compared,
      'spend rows stored in all': Number(total?.rows ?? 0),
      'rows stored twice': duplicates.length,
    },
    problems,
  };
}

export function checkJobs(settled: { backlog: Backlog; settled: boolean; tookMs: number }): CheckResult {
  const problems: string[] = [];
  const figures: CheckResult['figures'] = {
    'time to settle after the faults': `${(settled.tookMs / 1000).toFixed(0)} s`,
    'events still buffered': settled.backlog.eventsWaiting,
  };
  for (const [name, queue] of Object.entries(settled.backlog.queues)) {
    const left = queue.waiting + queue.active + queue.prioritized + queue.retrying;
    figures[`${name}: failed for good`] = queue.failed === 0 ? 0 : `${queue.failed} (${queue.failedFor.join('; ')})`;
    if (queue.running > 0) figures[`${name}: still running (a worker holds its lock)`] = queue.running;
    if (left > 0) {
      problems.push(
        `${name}: ${queue.waiting} waiting, ${queue.active} active without a live lock or for over 5 minutes, ${queue.prioritized} prioritized, ${queue.retrying} retrying`,
      );
    }
  }
  if (settled.backlog.eventsWaiting > 0) problems.push(`${settled.backlog.eventsWaiting} events still in the buffers`);
  return { name: 'jobs', figures, problems };
}
