// A KlaviyoReader for one connection: its credential (a private key, or an OAuth token refreshed through the
// refresh path) and a pacer that counts every request against the fleet's budget for that endpoint's tier
// on that Klaviyo account, and pauses it for everyone when Klaviyo says the window is used up.

import { getFreshAccessToken, type RefreshDeps } from '@adsync/connections';
import { type Connection, type Db, listAdAccounts } from '@adsync/db';
import {
  type CallPacer,
  KLAVIYO_ENDPOINT_TIERS,
  type KlaviyoEndpoint,
  type KlaviyoReader,
  type KlaviyoSettings,
} from '@adsync/providers';
import type { PlatformLimiter } from '@adsync/worker-runtime';

/** How long one Klaviyo request waits for room under the fleet's limiter before the sync is postponed. */
const LIMITER_WAIT_MS = 30_000;

export interface KlaviyoReaderDeps {
  db: Db;
  refresh: RefreshDeps & { limiter: PlatformLimiter };
  settings: KlaviyoSettings;
  /** Waits out a Klaviyo Retry-After; tests pass a quicker one. */
  sleep?: (ms: number) => Promise<void>;
}

function pacerFor(limiter: PlatformLimiter, account: string): CallPacer {
  const call = (endpoint: string) => {
    const tier = KLAVIYO_ENDPOINT_TIERS[endpoint as KlaviyoEndpoint] ?? 'XS';
    return { provider: `klaviyo_${tier.toLowerCase()}`, endpoint, account };
  };
  let last = 'segments';
  return {
    before: (endpoint) => {
      last = endpoint;
      return limiter.before(call(endpoint), LIMITER_WAIT_MS);
    },
    // Klaviyo's RateLimit-* headers and 429s are about the endpoint just called, on this account.
    usage: (signal) => limiter.usage(call(last), { ...signal, scope: 'accountEndpoint' }),
  };
}

/** The Klaviyo account a connection reaches (its quota is per account), or the connection itself. */
async function quotaAccount(db: Db, connection: Connection): Promise<string> {
  const accounts = await listAdAccounts(db, { tenantId: connection.tenant_id, connectionId: connection.id });
  return accounts[0]?.external_id ?? connection.id;
}

export async function klaviyoReaderFor(deps: KlaviyoReaderDeps, connection: Connection): Promise<KlaviyoReader> {
  const secret = await getFreshAccessToken(deps.refresh, {
    tenantId: connection.tenant_id,
    connectionId: connection.id,
  });
  return {
    settings: deps.settings,
    credential:
      connection.auth_method === 'api_key'
        ? { kind: 'private_key', key: secret }
        : { kind: 'oauth', accessToken: secret },
    pacer: pacerFor(deps.refresh.limiter, await quotaAccount(deps.db, connection)),
    ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
  };
}
