// Signed OAuth `state`: proves a callback answers an authorization this server started, for this tenant.
// Verification alone is NOT single-use: a valid token verifies until it expires. The caller must also consume
// the `oauth_states` row keyed by the nonce, which can happen only once.
//
// Token: `base64url(JSON payload) + '.' + base64url(HMAC-SHA256(secret, first part))`. The JSON uses one-letter
// keys because the token travels in URLs.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError, err, ok, type Result } from '@adsync/errors';

export interface OAuthStatePayload {
  readonly tenantId: string;
  readonly provider: string;
  readonly nonce: string;
  readonly returnUrl: string;
  /** Unix time in milliseconds; the state is rejected from this instant on. */
  readonly expiresAt: number;
}

export type OAuthStateErrorCode = 'malformed_state' | 'invalid_state_signature' | 'expired_state';

export interface OAuthStateError {
  readonly code: OAuthStateErrorCode;
  readonly message: string;
}

/** The wire names of the payload fields, in the order they are written. */
const WIRE_KEYS = { tenantId: 't', provider: 'p', nonce: 'n', returnUrl: 'r', expiresAt: 'e' } as const;

const MIN_SECRET_LENGTH = 32;
/** Far above any real state; bounds the work done on hostile input. */
const MAX_TOKEN_LENGTH = 4096;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function checkSecret(secret: string): void {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new AppError(
      'invalid_oauth_state_secret',
      `OAUTH_STATE_SECRET must be at least ${MIN_SECRET_LENGTH} characters`,
      { status: 500 },
    );
  }
}

function isPayload(value: unknown): value is OAuthStatePayload {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.tenantId === 'string' &&
    record.tenantId !== '' &&
    typeof record.provider === 'string' &&
    record.provider !== '' &&
    typeof record.nonce === 'string' &&
    record.nonce !== '' &&
    typeof record.returnUrl === 'string' &&
    typeof record.expiresAt === 'number' &&
    Number.isSafeInteger(record.expiresAt) &&
    record.expiresAt >= 0
  );
}

function signature(secret: string, encodedPayload: string): string {
  return createHmac('sha256', secret).update(encodedPayload).digest('base64url');
}

/** Decodes the wire JSON into a payload, or undefined unless it holds exactly the expected fields. */
function decodePayload(encodedPayload: string): OAuthStatePayload | undefined {
  let wire: unknown;
  try {
    wire = JSON.parse(utf8.decode(Buffer.from(encodedPayload, 'base64url')));
  } catch {
    return undefined;
  }
  if (typeof wire !== 'object' || wire === null || Array.isArray(wire)) return undefined;
  const record = wire as Record<string, unknown>;
  const wireKeys = Object.values(WIRE_KEYS) as string[];
  const keys = Object.keys(record);
  if (keys.length !== wireKeys.length || !wireKeys.every((key) => Object.hasOwn(record, key))) return undefined;
  const payload = {
    tenantId: record[WIRE_KEYS.tenantId],
    provider: record[WIRE_KEYS.provider],
    nonce: record[WIRE_KEYS.nonce],
    returnUrl: record[WIRE_KEYS.returnUrl],
    expiresAt: record[WIRE_KEYS.expiresAt],
  };
  return isPayload(payload) ? payload : undefined;
}

/**
 * Signs `payload` into a URL-safe `state` token. Only the five payload fields are written, whatever else the
 * object holds. Throws AppError when the secret is shorter than 32 characters or the payload is incomplete.
 */
export function signOAuthState(secret: string, payload: OAuthStatePayload): string {
  checkSecret(secret);
  if (!isPayload(payload)) {
    throw new AppError(
      'invalid_oauth_state',
      'OAuth state payload needs non-empty tenantId, provider and nonce, a returnUrl string and an integer expiresAt',
      { status: 500 },
    );
  }
  const wire = {
    [WIRE_KEYS.tenantId]: payload.tenantId,
    [WIRE_KEYS.provider]: payload.provider,
    [WIRE_KEYS.nonce]: payload.nonce,
    [WIRE_KEYS.returnUrl]: payload.returnUrl,
    [WIRE_KEYS.expiresAt]: payload.expiresAt,
  };
  const encodedPayload = Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url');
  return `${encodedPayload}.${signature(secret, encodedPayload)}`;
}

/**
 * Checks the signature (in constant time), then the payload's shape, then expiry (`now >= expiresAt` is
 * expired). Never throws on a bad token, only on a bad secret or clock. Does not make the state single-use.
 */
export function verifyOAuthState(
  secret: string,
  token: string,
  now: number,
): Result<OAuthStatePayload, OAuthStateError> {
  checkSecret(secret);
  if (!Number.isFinite(now)) {
    // NaN would compare as "not expired" forever.
    throw new AppError('invalid_argument', 'verifyOAuthState needs a finite `now` in unix milliseconds', {
      status: 500,
    });
  }
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) {
    return err({ code: 'malformed_state', message: 'The OAuth state is malformed.' });
  }
  const parts = token.split('.');
  const [encodedPayload, givenSignature] = parts;
  if (
    parts.length !== 2 ||
    encodedPayload === undefined ||
    givenSignature === undefined ||
    !BASE64URL.test(encodedPayload) ||
    !BASE64URL.test(givenSignature)
  ) {
    return err({ code: 'malformed_state', message: 'The OAuth state is malformed.' });
  }
  // Comparing the encoded strings also rejects non-canonical encodings of the right bytes.
  const expected = Buffer.from(signature(secret, encodedPayload), 'ascii');
  const given = Buffer.from(givenSignature, 'ascii');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return err({
      code: 'invalid_state_signature',
      message: 'The OAuth state signature is invalid: it was altered or not issued by this server.',
    });
  }
  const payload = decodePayload(encodedPayload);
  if (payload === undefined) return err({ code: 'malformed_state', message: 'The OAuth state is malformed.' });
  if (now >= payload.expiresAt) {
    return err({ code: 'expired_state', message: 'The OAuth state has expired; start the connection again.' });
  }
  return ok(payload);
}

/** A fresh nonce for an OAuth state: 32 random bytes, base64url (43 characters). */
export function createStateNonce(): string {
  return randomBytes(32).toString('base64url');
}
