// Delivering one connection event to the tenant's webhook URL. The body is built from the stored event at
// delivery time and never carries a credential. Anything but a 2xx answer throws, so the job retries with
// backoff until the tenant's endpoint takes it. The URL is the tenant's: the request goes through the
// outbound guard (public addresses only, checked as the name resolves, no redirects), and a refused
// address is a delivery that will never work, so it is not retried.

import type { Keyring } from '@adsync/crypto';
import { type Db, findConnectionEvent, findTenant } from '@adsync/db';
import type { Logger } from '@adsync/logging';
import type { QueueProducer } from '@adsync/queues';
import { isOutboundRefused, type OutboundGuard } from '@adsync/ssrf-guard';
import { request } from 'undici';
import { openWebhookSecret, SIGNATURE_HEADER, signWebhook } from './webhook-signature.ts';

const TIMEOUT_MS = 10_000;
/** The connection events a tenant hears about. */
export const NOTIFIED_EVENTS = new Set(['needs_reauth', 'degraded', 'recovered', 'expiry_warning']);

export type DeliveryOutcome =
  | { delivered: true; status: number }
  | { delivered: false; reason: 'no_webhook' | 'no_event' }
  | { delivered: false; reason: 'url_refused'; message: string };

export async function deliverWebhook(
  deps: { db: Db; keyring: Keyring; outbound: OutboundGuard; logger?: Logger },
  job: { tenantId: string; eventId: number },
  now = Date.now(),
): Promise<DeliveryOutcome> {
  const tenant = await findTenant(deps.db, job.tenantId);
  if (tenant?.webhook_url == null || tenant.webhook_secret_ciphertext == null) {
    return { delivered: false, reason: 'no_webhook' };
  }
  const event = await findConnectionEvent(deps.db, job);
  if (event === undefined) return { delivered: false, reason: 'no_event' };
  const body = JSON.stringify({
    id: String(event.id),
    type: `connection.${event.type}`,
    createdAt: event.created_at.toISOString(),
    data: {
      connectionId: event.connection_id,
      provider: event.provider,
      message: event.message,
      detail: event.detail,
    },
  });
  const secret = openWebhookSecret(deps.keyring, job.tenantId, tenant.webhook_secret_ciphertext);
  let response: Awaited<ReturnType<typeof request>>;
  try {
    deps.outbound.assertAllowed(tenant.webhook_url);
    response = await request(tenant.webhook_url, {
      dispatcher: deps.outbound.dispatcher,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'adsync-webhooks',
        [SIGNATURE_HEADER]: signWebhook(secret, body, Math.floor(now / 1000)),
      },
      body,
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
  } catch (error) {
    if (!isOutboundRefused(error)) throw error;
    deps.logger?.warn(
      { tenantId: job.tenantId, eventId: job.eventId, reason: error.message },
      'webhook not sent: its URL points where adsync does not send',
    );
    return { delivered: false, reason: 'url_refused', message: error.message };
  }
  await response.body.dump();
  if (response.statusCode < 200 || response.statusCode >= 300) {
    // The URL's host only: a query string might carry the tenant's own token.
    throw new Error(`the webhook at ${new URL(tenant.webhook_url).host} answered ${response.statusCode}; retrying`);
  }
  return { delivered: true, status: response.statusCode };
}

/** Queues the delivery of a connection event, if it is one tenants hear about. */
export async function notifyTenant(
  producer: QueueProducer,
  event: { tenantId: string; id: bigint | string; type: string },
): Promise<void> {
  if (!NOTIFIED_EVENTS.has(event.type)) return;
  await producer.enqueue('webhooks', 'deliver-webhook', { tenantId: event.tenantId, eventId: Number(event.id) });
}
