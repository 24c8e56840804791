// TikTok's response envelope `{code, message, request_id, data}` (HTTP 200 even on errors), its error codes,
// and the parsing of its JSON-encoded array query parameters.

import { randomBytes } from 'node:crypto';

/** Codes from providers.md §3.3 that the simulator answers with. */
export const TIKTOK_CODES = {
  ok: 0,
  noPermission: 40001,
  parameterError: 40002,
  tooManyIds: 40011,
  rateLimited: 40100,
  invalidApp: 40101,
  accessTokenExpired: 40102,
  refreshTokenExpired: 40103,
  accessTokenEmpty: 40104,
  accessTokenInvalid: 40105,
  invalidRefreshToken: 40107,
  invalidGrantType: 40108,
  invalidAuthCode: 40110,
  appMismatch: 40113,
  invalidBatchSize: 40061,
  piiNotHashed: 40062,
  systemError: 50000,
} as const;

/** An expected failure; the platform's error handler turns it into the envelope. */
export class TikTokError extends Error {
  readonly code: number;

  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

export interface TikTokEnvelope {
  code: number;
  message: string;
  request_id: string;
  data: Record<string, unknown>;
}

/** TikTok request ids start with the UTC time (yyyyMMddHHmmss) followed by uppercase hex. */
export function requestId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}${randomBytes(10).toString('hex').toUpperCase()}`;
}

export function success(now: number, data: Record<string, unknown>): TikTokEnvelope {
  return { code: TIKTOK_CODES.ok, message: 'OK', request_id: requestId(now), data };
}

export function failure(now: number, code: number, message: string): TikTokEnvelope {
  return { code, message, request_id: requestId(now), data: {} };
}

/** A single query value: Fastify gives an array when a key repeats; TikTok reads the first. */
export function queryValue(query: unknown, name: string): string | undefined {
  const value = (query as Record<string, unknown> | undefined)?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

/** A GET array parameter, sent JSON-encoded (`advertiser_ids=["123"]`); undefined when absent. */
export function jsonArrayParam(query: unknown, name: string): string[] | undefined {
  const raw = queryValue(query, name);
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new TikTokError(TIKTOK_CODES.parameterError, `${name}: Not a valid list.`);
  }
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string' || typeof item === 'number')) {
    throw new TikTokError(TIKTOK_CODES.parameterError, `${name}: Not a valid list.`);
  }
  return parsed.map(String);
}

export function requiredString(source: unknown, name: string): string {
  const value = (source as Record<string, unknown> | undefined)?.[name];
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value === '') {
    throw new TikTokError(TIKTOK_CODES.parameterError, `${name}: Missing data for required field.`);
  }
  return value;
}
