// What the Connections API says about a connection's access: whether adsync renews it on its own, and the
// warning before a token that cannot be renewed (Meta's) lapses.

import type { Connection } from '@adsync/db';
import { describe, expect, it } from 'vitest';
import { connectionView } from './connection-view.ts';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const DAY = 86_400_000;

function connection(values: Partial<Connection>): Connection {
  return {
    id: 'c1',
    tenant_id: 't1',
    provider: 'meta',
    status: 'active',
    auth_method: 'oauth',
    scopes: [],
    access_token_expires_at: null,
    refresh_token_ciphertext: null,
    last_refreshed_at: null,
    last_synced_at: null,
    last_error_code: null,
    last_error_message: null,
    last_error_at: null,
    created_at: new Date(NOW - 30 * DAY),
    disconnected_at: null,
    ...values,
  } as Connection;
}

describe('connectionView', () => {
  it('warns when a token without a refresh token lapses within 14 days, counting whole days left', () => {
    const view = connectionView(connection({ access_token_expires_at: new Date(NOW + 5 * DAY - 60_000) }), [], {
      now: NOW,
    });
    expect(view.expiryWarning).toEqual({ expiresAt: new Date(NOW + 5 * DAY - 60_000).toISOString(), daysLeft: 5 });
    expect(view.renewsAutomatically).toBe(false);
  });

  it('does not warn far from expiry, for renewable tokens, API keys or disconnected connections', () => {
    const far = connection({ access_token_expires_at: new Date(NOW + 40 * DAY) });
    const renewable = connection({
      provider: 'google',
      access_token_expires_at: new Date(NOW + 3_600_000),
      refresh_token_ciphertext: 'sealed',
    });
    const key = connection({ provider: 'klaviyo', auth_method: 'api_key' });
    const gone = connection({ status: 'disconnected', access_token_expires_at: new Date(NOW + DAY) });
    for (const each of [far, renewable, key, gone])
      expect(connectionView(each, [], { now: NOW }).expiryWarning).toBeNull();
    expect(connectionView(renewable, []).renewsAutomatically).toBe(true);
    expect(connectionView(key, []).renewsAutomatically).toBe(true);
  });

  it('an expired token shows 0 days left; refreshing is false unless said', () => {
    const view = connectionView(connection({ access_token_expires_at: new Date(NOW - DAY) }), [], { now: NOW });
    expect(view.expiryWarning?.daysLeft).toBe(0);
    expect(view.refreshing).toBe(false);
    expect(connectionView(connection({}), [], { refreshing: true }).refreshing).toBe(true);
  });
});
