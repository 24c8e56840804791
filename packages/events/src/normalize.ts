// Customer information, normalized the way each platform asks before hashing (providers.md §1.6, §3.5),
// and hashed: lowercase hex SHA-256 of the UTF-8 text. A value that already is a SHA-256 hex digest passes
// through untouched (lowercased), so brands that hash on their side are not hashed twice.
//
// Normalizers return the normalized text, or throw `InvalidValue` saying what to fix.

import { hash } from 'node:crypto';

export class InvalidValue extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'InvalidValue';
    this.code = code;
  }
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

export function isSha256(value: string): boolean {
  return value.length === 64 && SHA256_HEX.test(value);
}

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** The hash of a value: normalized then hashed, or passed through when it already is a hash. */
export function hashed(value: string, normalize: (value: string) => string): string {
  const trimmed = value.trim();
  return isSha256(trimmed) ? trimmed.toLowerCase() : sha256Hex(normalize(trimmed));
}

const PUNCTUATION_AND_SYMBOLS = /[\p{P}\p{S}]/gu;
const WHITESPACE = /\s+/gu;
const DIGITS = /\p{Nd}/gu;

/** Unicode letters in one canonical form (é is one code point), lowercased, trimmed. */
function canonical(value: string): string {
  return value.normalize('NFC').toLowerCase().trim();
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normalizeEmail(value: string): string {
  const email = canonical(value);
  if (!EMAIL.test(email)) throw new InvalidValue('invalid_email', `"${value}" is not an email address.`);
  return email;
}

/**
 * A phone number's digits with the country code and no international prefix: `+`, `00`, spaces, dashes,
 * dots and brackets go. A number that starts with a single 0 is a national number without a country code,
 * which the platforms cannot match: it is refused rather than guessed.
 */
export function phoneDigits(value: string): string {
  const compact = value.trim().replace(/[\s\-()./]/g, '');
  const digits = compact.startsWith('+') ? compact.slice(1) : compact.startsWith('00') ? compact.slice(2) : compact;
  if (!/^\d+$/.test(digits)) {
    throw new InvalidValue('invalid_phone', 'phone may contain only digits, spaces, "+", "-", "." and brackets.');
  }
  if (digits.startsWith('0')) {
    throw new InvalidValue(
      'invalid_phone',
      'phone must start with its country code, e.g. +44 20 7946 0958 or 0044 20 7946 0958, not 020 7946 0958.',
    );
  }
  if (digits.length < 7 || digits.length > 15) {
    throw new InvalidValue('invalid_phone', 'phone must have 7 to 15 digits including the country code.');
  }
  return digits;
}

/** First and last names: lowercase, accents kept (UTF-8), punctuation removed, spaces collapsed. */
export function normalizeName(value: string): string {
  const name = canonical(value).replace(PUNCTUATION_AND_SYMBOLS, '').replace(WHITESPACE, ' ').trim();
  if (name === '') throw new InvalidValue('invalid_name', `"${value}" has no letters.`);
  return name;
}

/** City: lowercase with no spaces, punctuation or digits ("San Francisco" → "sanfrancisco"). */
export function normalizeCity(value: string): string {
  const city = canonical(value).replace(PUNCTUATION_AND_SYMBOLS, '').replace(DIGITS, '').replace(WHITESPACE, '');
  if (city === '') throw new InvalidValue('invalid_city', `"${value}" has no letters.`);
  return city;
}

/** State or region: its code in lowercase, without spaces or punctuation ("CA" → "ca"). */
export function normalizeState(value: string): string {
  const state = canonical(value).replace(PUNCTUATION_AND_SYMBOLS, '').replace(DIGITS, '').replace(WHITESPACE, '');
  if (state === '') throw new InvalidValue('invalid_state', `"${value}" has no letters.`);
  return state;
}

/**
 * Postal code: lowercase without spaces, and without any suffix after a dash; a US ZIP+4 keeps its first
 * five digits ("94025-1234" → "94025", "SW1A 1AA" → "sw1a1aa").
 */
export function normalizeZip(value: string): string {
  const zip = (canonical(value).split('-')[0] ?? '').replace(WHITESPACE, '');
  if (!/^[\p{L}\p{Nd}]{2,10}$/u.test(zip)) {
    throw new InvalidValue('invalid_zip', `"${value}" is not a postal code.`);
  }
  return /^\d{5,}$/.test(zip) && zip.length === 9 ? zip.slice(0, 5) : zip;
}

/** ISO 3166-1 alpha-2, lowercase. */
export function normalizeCountry(value: string): string {
  const country = canonical(value);
  if (!/^[a-z]{2}$/.test(country)) {
    throw new InvalidValue(
      'invalid_country',
      `country must be a two-letter ISO 3166 code such as "US", not "${value}".`,
    );
  }
  return country;
}

/** Date of birth as YYYYMMDD, from YYYY-MM-DD. */
export function normalizeDateOfBirth(value: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  const date = match === null ? undefined : new Date(`${value.trim()}T00:00:00Z`);
  if (
    match === null ||
    date === undefined ||
    Number.isNaN(date.getTime()) ||
    date.toISOString().slice(0, 10) !== value.trim()
  ) {
    throw new InvalidValue('invalid_date_of_birth', `dateOfBirth must be a real date as YYYY-MM-DD, not "${value}".`);
  }
  return `${match[1]}${match[2]}${match[3]}`;
}

/** Gender as the platforms take it: "f" or "m". */
export function normalizeGender(value: string): string {
  const gender = canonical(value);
  if (gender === 'f' || gender === 'female') return 'f';
  if (gender === 'm' || gender === 'male') return 'm';
  throw new InvalidValue('invalid_gender', `gender must be "f", "m", "female" or "male", not "${value}".`);
}

/** External ids are matched exactly as the brand's site sends them: only surrounding spaces go. */
export function normalizeExternalId(value: string): string {
  const id = value.trim();
  if (id === '') throw new InvalidValue('invalid_external_id', 'externalId must not be empty.');
  return id;
}
