// A neutral event turned into what one platform's intake takes: Meta's server event (providers.md §1.6) or
// TikTok's Events API 2.0 event (§3.5), with the platform's time window checked before it is queued.
// Fields the brand did not give are left undefined: JSON, which is how the events are stored and sent,
// leaves them out.

import type { CapiProvider } from '@adsync/db';
import type { NeutralEvent } from './event-schema.ts';
import type { PreparedUser } from './prepared-user.ts';

/** The posted event without its customer information (which is kept only prepared: normalized and hashed). */
export type EventDetails = Omit<NeutralEvent, 'user'>;

/**
 * What waits in the delivery buffer, the same for each of the tenant's destinations: the event and its
 * prepared customer information. It is mapped to the platform's format when it is sent, so a replayed dead
 * letter is sent with the mapping of the day.
 */
export interface QueuedEvent {
  eventId: string;
  /** Unix ms. */
  acceptedAt: number;
  event: EventDetails;
  user: PreparedUser;
}

const DAY_SECONDS = 86_400;
/** Events may be this far ahead of our clock (the brand's clock may run fast). */
export const MAX_FUTURE_SECONDS = 300;

/**
 * How old an event may be when it reaches the platform: Meta 7 days (62 for physical-store events,
 * unverified); TikTok 7 days, the same as Meta so one event is not accepted for one and refused by the other.
 */
export function maxAgeSeconds(provider: CapiProvider, actionSource: string): number {
  if (provider === 'meta' && actionSource === 'physical_store') return 62 * DAY_SECONDS;
  return 7 * DAY_SECONDS;
}

export type WindowProblem = { code: 'event_too_old' | 'event_in_future'; message: string };

export function windowProblem(
  provider: CapiProvider,
  event: { time: number; actionSource: string },
  nowSeconds: number,
): WindowProblem | undefined {
  const maxAge = maxAgeSeconds(provider, event.actionSource);
  if (nowSeconds - event.time > maxAge) {
    return {
      code: 'event_too_old',
      message: `time is more than ${maxAge / DAY_SECONDS} days ago; ${provider === 'meta' ? 'Meta' : 'TikTok'} takes no older events.`,
    };
  }
  if (event.time - nowSeconds > MAX_FUTURE_SECONDS) {
    return { code: 'event_in_future', message: `time is more than ${MAX_FUTURE_SECONDS / 60} minutes in the future.` };
  }
  return undefined;
}

const one = (values: string[]) => (values.length === 0 ? undefined : values);

/** `fb.1.<ms>.<fbclid>` when the brand has the click id but not the cookie (providers.md §1.6). */
function metaClickId(event: EventDetails, user: PreparedUser): string | undefined {
  if (user.clear.fbc !== undefined) return user.clear.fbc;
  if (user.clear.fbclid === undefined) return undefined;
  return `fb.1.${event.time * 1000}.${user.clear.fbclid}`;
}

export function toMetaEvent(event: EventDetails, user: PreparedUser): Record<string, unknown> {
  const custom = event.custom;
  return {
    event_name: event.name,
    event_time: event.time,
    event_id: event.id,
    action_source: event.actionSource,
    event_source_url: event.pageUrl,
    referrer_url: event.referrerUrl,
    user_data: {
      em: one(user.emails),
      ph: one(user.phones.map((phone) => phone.hashedDigits)),
      fn: user.firstName,
      ln: user.lastName,
      ct: user.city,
      st: user.state,
      zp: user.zip,
      country: user.country,
      db: user.dateOfBirth,
      ge: user.gender,
      external_id: one(user.externalIds),
      client_ip_address: user.clear.ip,
      client_user_agent: user.clear.userAgent,
      fbp: user.clear.fbp,
      fbc: metaClickId(event, user),
    },
    custom_data:
      custom === undefined
        ? undefined
        : {
            value: custom.value,
            currency: custom.currency,
            contents: custom.contents?.map((item) => ({
              id: item.id,
              quantity: item.quantity,
              item_price: item.price,
            })),
            content_ids: custom.contents?.map((item) => item.id),
            content_type: custom.contentType,
            content_name: custom.contentName,
            content_category: custom.contentCategory,
            order_id: custom.orderId,
            num_items: custom.numItems,
            search_string: custom.searchString,
          },
  };
}

/** TikTok's names for Meta's standard events; other names (custom events) are sent as they are. */
const TIKTOK_EVENT_NAMES: Record<string, string> = {
  Purchase: 'CompletePayment',
  Lead: 'SubmitForm',
  AddToCart: 'AddToCart',
  InitiateCheckout: 'InitiateCheckout',
  ViewContent: 'ViewContent',
  CompleteRegistration: 'CompleteRegistration',
  Search: 'Search',
  AddPaymentInfo: 'AddPaymentInfo',
  AddToWishlist: 'AddToWishlist',
  Contact: 'Contact',
  Subscribe: 'Subscribe',
};

export function tiktokEventName(name: string): string {
  return TIKTOK_EVENT_NAMES[name] ?? name;
}

export function toTikTokEvent(event: EventDetails, user: PreparedUser): Record<string, unknown> {
  const custom = event.custom;
  return {
    event: tiktokEventName(event.name),
    event_time: event.time,
    event_id: event.id,
    user: {
      email: one(user.emails),
      phone: one(user.phones.map((phone) => phone.hashedE164)),
      external_id: one(user.externalIds),
      ttclid: user.clear.ttclid,
      ttp: user.clear.ttp,
      ip: user.clear.ip,
      user_agent: user.clear.userAgent,
      locale: user.clear.locale,
    },
    properties:
      custom === undefined
        ? undefined
        : {
            value: custom.value,
            currency: custom.currency,
            contents: custom.contents?.map((item) => ({
              content_id: item.id,
              content_name: item.name,
              content_category: item.category,
              price: item.price,
              quantity: item.quantity,
            })),
            content_type: custom.contentType,
            order_id: custom.orderId,
            query: custom.searchString,
          },
    page: event.pageUrl === undefined ? undefined : { url: event.pageUrl, referrer: event.referrerUrl },
  };
}

export function toPlatformEvent(provider: CapiProvider, queued: QueuedEvent): Record<string, unknown> {
  return provider === 'meta' ? toMetaEvent(queued.event, queued.user) : toTikTokEvent(queued.event, queued.user);
}
