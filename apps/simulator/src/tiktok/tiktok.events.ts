// Validation of an Events API 2.0 payload (providers.md §3.5): the whole batch is rejected on the first bad
// event, with a message that points at `data[i]...`, as TikTok answers. An event a test made poison
// (POST /_control/events/reject) is refused the same way.

import type { EventRejections } from '../core/faults.ts';
import { TIKTOK_CODES, TikTokError } from './tiktok.envelope.ts';

export interface EventBatch {
  eventSource: string;
  eventSourceId: string;
  testEventCode: string | undefined;
  events: Record<string, unknown>[];
}

const EVENT_SOURCES = ['web', 'app', 'offline', 'crm'];
/** Up to 1,000 events per request (unverified; one third-party implementation caps at 500). */
export const MAX_BATCH = 1_000;
const SHA256 = /^[0-9a-f]{64}$/;
const HASHED_USER_FIELDS = ['email', 'phone', 'external_id'];
const RAW_USER_FIELDS = ['ttclid', 'ttp', 'ip', 'user_agent', 'locale'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parameterError(path: string, message: string): TikTokError {
  return new TikTokError(TIKTOK_CODES.parameterError, `${path}: ${message}`);
}

function checkUser(user: unknown, path: string): void {
  if (user === undefined) return;
  if (!isObject(user)) throw parameterError(path, 'Not a valid object.');
  for (const field of HASHED_USER_FIELDS) {
    const value = user[field];
    if (value === undefined) continue;
    // A single hash or a list of them (several emails for one person).
    const values = Array.isArray(value) ? value : [value];
    for (const [index, hash] of values.entries()) {
      const at = Array.isArray(value) ? `${path}.${field}[${index}]` : `${path}.${field}`;
      if (typeof hash !== 'string') throw parameterError(at, 'Not a valid string.');
      if (!SHA256.test(hash)) {
        throw new TikTokError(
          TIKTOK_CODES.piiNotHashed,
          `${at}: PII must be hashed with SHA-256 and sent as 64 lowercase hex characters.`,
        );
      }
    }
  }
  for (const field of RAW_USER_FIELDS) {
    if (user[field] !== undefined && typeof user[field] !== 'string') {
      throw parameterError(`${path}.${field}`, 'Not a valid string.');
    }
  }
}

function checkProperties(properties: unknown, path: string): void {
  if (properties === undefined) return;
  if (!isObject(properties)) throw parameterError(path, 'Not a valid object.');
  if (properties.value !== undefined && (typeof properties.value !== 'number' || !Number.isFinite(properties.value))) {
    throw parameterError(`${path}.value`, 'Not a valid number.');
  }
  if (properties.currency !== undefined && !/^[A-Z]{3}$/.test(String(properties.currency))) {
    throw parameterError(`${path}.currency`, 'Not a valid ISO 4217 currency code.');
  }
  if (properties.contents !== undefined && !Array.isArray(properties.contents)) {
    throw parameterError(`${path}.contents`, 'Not a valid list.');
  }
}

function checkEvent(event: unknown, index: number, rejections: EventRejections): Record<string, unknown> {
  const path = `data[${index}]`;
  if (!isObject(event)) throw parameterError(path, 'Not a valid object.');
  if (typeof event.event !== 'string' || event.event === '') {
    throw parameterError(`${path}.event`, 'Missing data for required field.');
  }
  if (event.event_time === undefined) throw parameterError(`${path}.event_time`, 'Missing data for required field.');
  if (typeof event.event_time !== 'number' || !Number.isInteger(event.event_time) || event.event_time <= 0) {
    throw parameterError(`${path}.event_time`, 'Not a valid unix timestamp in seconds.');
  }
  if (event.event_id !== undefined && typeof event.event_id !== 'string') {
    throw parameterError(`${path}.event_id`, 'Not a valid string.');
  }
  checkUser(event.user, `${path}.user`);
  checkProperties(event.properties, `${path}.properties`);
  if (event.page !== undefined) {
    if (!isObject(event.page)) throw parameterError(`${path}.page`, 'Not a valid object.');
    if (event.page.url !== undefined && typeof event.page.url !== 'string') {
      throw parameterError(`${path}.page.url`, 'Not a valid string.');
    }
  }
  if (event.limited_data_use !== undefined && typeof event.limited_data_use !== 'boolean') {
    throw parameterError(`${path}.limited_data_use`, 'Not a valid boolean.');
  }
  const rejection = rejections(event.event_id);
  if (rejection !== undefined) {
    throw parameterError(`${path}.event_id`, rejection.message ?? `Event ${String(event.event_id)} is invalid.`);
  }
  return event;
}

/** `rejections`: the events a test made poison, refused as invalid events. */
export function parseEventBatch(body: unknown, rejections: EventRejections = () => undefined): EventBatch {
  if (!isObject(body)) throw new TikTokError(TIKTOK_CODES.parameterError, 'The request body must be a JSON object.');
  if (typeof body.event_source !== 'string' || !EVENT_SOURCES.includes(body.event_source)) {
    throw parameterError('event_source', `Must be one of: ${EVENT_SOURCES.join(', ')}.`);
  }
  if (typeof body.event_source_id !== 'string' || body.event_source_id === '') {
    throw parameterError('event_source_id', 'Missing data for required field.');
  }
  if (body.test_event_code !== undefined && typeof body.test_event_code !== 'string') {
    throw parameterError('test_event_code', 'Not a valid string.');
  }
  if (!Array.isArray(body.data)) throw parameterError('data', 'Missing data for required field.');
  if (body.data.length === 0 || body.data.length > MAX_BATCH) {
    throw new TikTokError(TIKTOK_CODES.invalidBatchSize, `data: Length must be between 1 and ${MAX_BATCH}.`);
  }
  return {
    eventSource: body.event_source,
    eventSourceId: body.event_source_id,
    testEventCode: body.test_event_code,
    events: body.data.map((event, index) => checkEvent(event, index, rejections)),
  };
}
