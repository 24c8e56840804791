// The Graph API error envelope (providers.md §1.2): `{"error":{message,type,code,error_subcode,fbtrace_id}}`,
// almost always HTTP 400, and the codes the simulated Meta answers with.

import { randomBytes } from 'node:crypto';

export const META_CODES = {
  unknown: 1,
  applicationLimit: 4,
  parameter: 100,
  invalidApplication: 101,
  accessTokenRequired: 104,
  accessToken: 190,
  permission: 200,
  adsInsightsThrottled: 80000,
  adsManagementThrottled: 80004,
} as const;

/** `error_subcode` values: token states (§1.2), OAuth code problems and throttling. */
export const META_SUBCODES = {
  appNotInstalled: 458,
  sessionInvalidated: 460,
  tokenExpired: 463,
  invalidToken: 467,
  nonexistingObject: 33,
  codeExpired: 36007,
  redirectMismatch: 36008,
  codeUsed: 36009,
  eventTooOld: 2804003,
  invalidEvent: 2804008,
  unhashedUserData: 2804013,
  throttled: 2446079,
} as const;

export interface MetaErrorDetails {
  status?: number;
  subcode?: number;
  type?: string;
  userTitle?: string;
  userMessage?: string;
  /** Extra response headers (the usage headers of a throttled call). */
  headers?: Record<string, string>;
}

/** An expected failure; the platform's error handler turns it into the envelope. */
export class MetaError extends Error {
  readonly code: number;
  readonly details: MetaErrorDetails;

  constructor(code: number, message: string, details: MetaErrorDetails = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** Graph trace ids look like `AbCdEf12345-xyz_AbCdEf1`: 23 URL-safe characters. */
export function fbtraceId(): string {
  return randomBytes(17).toString('base64url').slice(0, 23);
}

export function errorEnvelope(error: MetaError): Record<string, unknown> {
  const { subcode, type, userTitle, userMessage } = error.details;
  return {
    error: {
      message: error.message,
      type: type ?? 'OAuthException',
      code: error.code,
      ...(subcode === undefined ? {} : { error_subcode: subcode }),
      ...(userTitle === undefined ? {} : { error_user_title: userTitle, is_transient: false }),
      ...(userMessage === undefined ? {} : { error_user_msg: userMessage }),
      fbtrace_id: fbtraceId(),
    },
  };
}

export function parameterError(message: string, details: MetaErrorDetails = {}): MetaError {
  return new MetaError(META_CODES.parameter, `(#100) ${message}`, details);
}

/** What Graph answers for an id that does not exist or that the token may not see: the two are not told apart. */
export function unsupportedRequest(method: string, id: string): MetaError {
  return new MetaError(
    META_CODES.parameter,
    `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    { type: 'GraphMethodException', subcode: META_SUBCODES.nonexistingObject },
  );
}
