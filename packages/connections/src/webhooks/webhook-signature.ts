// How a tenant knows a webhook came from adsync: `adsync-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<body>" with the tenant's webhook secret>`. The timestamp lets the receiver refuse old replays.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Keyring, openSecret, sealSecret } from '@adsync/crypto';

export const SIGNATURE_HEADER = 'adsync-signature';

export function signWebhook(secret: string, body: string, timestampSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${digest}`;
}

/** What a receiver does (and our tests): the signature matches and is no older than `toleranceSeconds`. */
export function verifyWebhook(
  secret: string,
  body: string,
  header: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=') as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, body, timestamp));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The webhook secret is sealed like any credential, bound to its tenant (key rotation re-seals it so). */
export function webhookSecretContext(tenantId: string) {
  return { tenantId, connectionId: `tenant:${tenantId}`, field: 'webhook_secret' };
}

export function sealWebhookSecret(keyring: Keyring, tenantId: string, secret: string): string {
  return sealSecret(keyring, secret, webhookSecretContext(tenantId));
}

export function openWebhookSecret(keyring: Keyring, tenantId: string, sealed: string): string {
  return openSecret(keyring, sealed, webhookSecretContext(tenantId));
}
