// Validation of a Conversions API request (providers.md §1.6). One bad event rejects the whole request and
// nothing is processed; the error names the event (`data[i]`) and the field. An event a test made poison
// (POST /_control/events/reject) is refused the same way.

import type { EventRejections } from '../core/faults.ts';
import { META_SUBCODES, parameterError } from './meta.errors.ts';
import type { GraphParams } from './meta.graph.ts';

export interface ServerEventBatch {
  events: Record<string, unknown>[];
  testEventCode: string | undefined;
}

export const MAX_EVENTS = 1_000;
const DAY_SECONDS = 86_400;
/** How far back `event_time` may be: 7 days, ~62 for physical_store events (unverified). */
const MAX_AGE_DAYS = { default: 7, physical_store: 62 } as const;
const ACTION_SOURCES = [
  'website',
  'app',
  'email',
  'phone_call',
  'chat',
  'physical_store',
  'system_generated',
  'business_messaging',
  'other',
];
const SHA256 = /^[0-9a-f]{64}$/;
const HASHED_USER_FIELDS = ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country'];
/** Customer information that identifies a person; an event needs at least one. */
const IDENTIFYING_USER_FIELDS = [
  ...HASHED_USER_FIELDS,
  'external_id',
  'client_ip_address',
  'client_user_agent',
  'fbc',
  'fbp',
  'subscription_id',
  'fb_login_id',
  'lead_id',
  'madid',
  'anon_id',
  'ctwa_clid',
  'page_id',
  'ig_account_id',
  'ig_sid',
];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalidEvent(index: number, title: string, message: string) {
  return parameterError('Invalid parameter', {
    subcode: META_SUBCODES.invalidEvent,
    userTitle: title,
    userMessage: `data[${index}]: ${message}`,
  });
}

function checkUserData(userData: unknown, index: number): void {
  if (!isObject(userData)) {
    throw invalidEvent(index, 'Missing User Data', 'user_data is required and must be an object.');
  }
  for (const field of HASHED_USER_FIELDS) {
    const value = userData[field];
    if (value === undefined) continue;
    for (const hash of Array.isArray(value) ? value : [value]) {
      if (typeof hash !== 'string' || !SHA256.test(hash)) {
        throw parameterError('Invalid parameter', {
          subcode: META_SUBCODES.unhashedUserData,
          userTitle: 'Invalid User Data',
          userMessage: `data[${index}]: user_data.${field} must be the SHA-256 hash of the normalized value, as 64 lowercase hex characters.`,
        });
      }
    }
  }
  if (!IDENTIFYING_USER_FIELDS.some((field) => userData[field] !== undefined && userData[field] !== '')) {
    throw invalidEvent(
      index,
      'Missing Customer Information',
      "user_data doesn't contain any customer information parameters (em, ph, external_id, fbc, fbp, client_ip_address, client_user_agent, ...).",
    );
  }
}

function checkEvent(
  event: unknown,
  index: number,
  nowSeconds: number,
  rejections: EventRejections,
): Record<string, unknown> {
  if (!isObject(event)) throw invalidEvent(index, 'Invalid Event', 'each event must be an object.');
  if (typeof event.event_name !== 'string' || event.event_name.trim() === '') {
    throw invalidEvent(index, 'Missing Event Name', 'event_name is required.');
  }
  const eventTime = typeof event.event_time === 'string' ? Number(event.event_time) : event.event_time;
  if (typeof eventTime !== 'number' || !Number.isInteger(eventTime) || eventTime <= 0) {
    throw invalidEvent(index, 'Invalid Event Time', 'event_time is required: a Unix timestamp in seconds.');
  }
  if (typeof event.action_source !== 'string' || !ACTION_SOURCES.includes(event.action_source)) {
    throw invalidEvent(index, 'Invalid Action Source', `action_source must be one of ${ACTION_SOURCES.join(', ')}.`);
  }
  const maxAgeDays = event.action_source === 'physical_store' ? MAX_AGE_DAYS.physical_store : MAX_AGE_DAYS.default;
  if (nowSeconds - eventTime > maxAgeDays * DAY_SECONDS) {
    throw parameterError('Invalid parameter', {
      subcode: META_SUBCODES.eventTooOld,
      userTitle: 'Event Timestamp Too Old',
      userMessage: `data[${index}]: The timestamp for this event is older than ${maxAgeDays} days. Please check that the event's timestamp is within the last ${maxAgeDays} days.`,
    });
  }
  checkUserData(event.user_data, index);
  if (event.action_source === 'website') {
    if (typeof event.event_source_url !== 'string' || !/^https?:\/\//.test(event.event_source_url)) {
      throw invalidEvent(index, 'Missing Event Source URL', 'website events require event_source_url.');
    }
    if (typeof (event.user_data as Record<string, unknown>).client_user_agent !== 'string') {
      throw invalidEvent(index, 'Missing Client User Agent', 'website events require user_data.client_user_agent.');
    }
  }
  if (event.custom_data !== undefined) {
    if (!isObject(event.custom_data))
      throw invalidEvent(index, 'Invalid Custom Data', 'custom_data must be an object.');
    const { value, currency } = event.custom_data;
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw invalidEvent(index, 'Invalid Value', 'custom_data.value must be a number.');
    }
    if (currency !== undefined && (typeof currency !== 'string' || !/^[A-Za-z]{3}$/.test(currency))) {
      throw invalidEvent(index, 'Invalid Currency', 'custom_data.currency must be an ISO 4217 code.');
    }
  }
  if (event.event_name === 'Purchase') {
    const custom = isObject(event.custom_data) ? event.custom_data : {};
    if (custom.value === undefined || custom.currency === undefined) {
      throw invalidEvent(
        index,
        'Missing Purchase Value',
        'Purchase events require custom_data.value and custom_data.currency.',
      );
    }
  }
  const rejection = rejections(event.event_id);
  if (rejection !== undefined) {
    throw invalidEvent(index, 'Invalid Event', rejection.message ?? `event ${String(event.event_id)} is invalid.`);
  }
  return event;
}

/**
 * The request's events, or the error Graph answers with; `data` may be a JSON string (form posts).
 * `rejections`: the events a test made poison, refused as invalid events.
 */
export function parseServerEvents(
  params: GraphParams,
  now: number,
  rejections: EventRejections = () => undefined,
): ServerEventBatch {
  let data = params.data;
  if (data === undefined) throw parameterError('The parameter data is required');
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      throw parameterError('param data must be an array.');
    }
  }
  if (!Array.isArray(data)) throw parameterError('param data must be an array.');
  if (data.length === 0) throw parameterError('param data must contain at least one event.');
  if (data.length > MAX_EVENTS) {
    throw parameterError(`param data must be an array with at most ${MAX_EVENTS} elements.`);
  }
  const testEventCode = params.test_event_code;
  if (testEventCode !== undefined && typeof testEventCode !== 'string') {
    throw parameterError('param test_event_code must be a string.');
  }
  const nowSeconds = Math.floor(now / 1000);
  return {
    events: data.map((event, index) => checkEvent(event, index, nowSeconds, rejections)),
    testEventCode,
  };
}
