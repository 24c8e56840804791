// A neutral event's customer information normalized and hashed once, for every platform it goes to. Fields
// the platforms want in clear (IP, user agent, click ids, cookies) stay as sent.

import type { NeutralUser } from './event-schema.ts';
import {
  hashed,
  InvalidValue,
  isSha256,
  normalizeCity,
  normalizeCountry,
  normalizeDateOfBirth,
  normalizeEmail,
  normalizeExternalId,
  normalizeGender,
  normalizeName,
  normalizeState,
  normalizeZip,
  phoneDigits,
  sha256Hex,
} from './normalize.ts';

export interface PreparedUser {
  emails: string[];
  /** Phones as digits with country code (Meta hashes these; TikTok hashes them with a leading "+"). */
  phones: { hashedDigits: string; hashedE164: string }[];
  firstName?: string;
  lastName?: string;
  city?: string;
  state?: string;
  zip?: string;
  country?: string;
  dateOfBirth?: string;
  gender?: string;
  externalIds: string[];
  clear: Pick<NeutralUser, 'ip' | 'userAgent' | 'fbp' | 'fbc' | 'fbclid' | 'ttclid' | 'ttp' | 'locale'>;
}

/** A normalization failure, with the event field it is about. */
export class InvalidUserField extends Error {
  readonly code: string;
  readonly field: string;
  constructor(code: string, field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'InvalidUserField';
    this.code = code;
    this.field = field;
  }
}

function field<T>(name: string, prepare: () => T): T {
  try {
    return prepare();
  } catch (error) {
    if (error instanceof InvalidValue) throw new InvalidUserField(error.code, `user.${name}`, error.message);
    throw error;
  }
}

const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function optionalHash(name: string, value: string | undefined, normalize: (value: string) => string) {
  return value === undefined ? undefined : field(name, () => hashed(value, normalize));
}

function preparePhone(value: string) {
  const trimmed = value.trim();
  if (isSha256(trimmed)) {
    const hash = trimmed.toLowerCase();
    return { hashedDigits: hash, hashedE164: hash };
  }
  const digits = phoneDigits(trimmed);
  return { hashedDigits: sha256Hex(digits), hashedE164: sha256Hex(`+${digits}`) };
}

/** Throws InvalidUserField naming the field that cannot be normalized. */
export function prepareUser(user: NeutralUser): PreparedUser {
  const prepared: PreparedUser = {
    emails: list(user.email).map((email) => field('email', () => hashed(email, normalizeEmail))),
    phones: list(user.phone).map((phone) => field('phone', () => preparePhone(phone))),
    externalIds: list(user.externalId).map((id) => field('externalId', () => hashed(id, normalizeExternalId))),
    clear: {
      ip: user.ip,
      userAgent: user.userAgent,
      fbp: user.fbp,
      fbc: user.fbc,
      fbclid: user.fbclid,
      ttclid: user.ttclid,
      ttp: user.ttp,
      locale: user.locale,
    },
  };
  const optional = {
    firstName: optionalHash('firstName', user.firstName, normalizeName),
    lastName: optionalHash('lastName', user.lastName, normalizeName),
    city: optionalHash('city', user.city, normalizeCity),
    state: optionalHash('state', user.state, normalizeState),
    zip: optionalHash('zip', user.zip, normalizeZip),
    country: optionalHash('country', user.country, normalizeCountry),
    dateOfBirth: optionalHash('dateOfBirth', user.dateOfBirth, normalizeDateOfBirth),
    gender: optionalHash('gender', user.gender, normalizeGender),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (prepared as unknown as Record<string, string>)[key] = value;
  }
  return prepared;
}
