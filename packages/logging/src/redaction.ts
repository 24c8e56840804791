// What never reaches a log line, Bull Board or an error detail: credentials, session material and the PII
// fields adsync handles. A key is matched by name (any case) wherever it sits (see redact-secrets.ts); in
// free text (error messages, stack traces), by those names before a value and by the shapes below
// (see redact-secrets-in-text.ts).

/** Keys whose values are secrets, whatever object they sit in. */
export const SECRET_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'password',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'apiKey',
  'api_key',
  'privateKey',
  'private_key',
  'clientSecret',
  'client_secret',
  'appSecret',
  'app_secret',
  'authCode',
  'auth_code',
  'codeVerifier',
  'code_verifier',
  'fb_exchange_token',
  'input_token',
  'ciphertext',
] as const;

/** Keys that hold personal data in clear (conversion events, Klaviyo profiles, operators). */
export const PII_KEYS = [
  'email',
  'phone',
  'phoneNumber',
  'phone_number',
  'firstName',
  'first_name',
  'lastName',
  'last_name',
  'dateOfBirth',
  'date_of_birth',
  'ipAddress',
  'ip_address',
  'client_ip_address',
  'em',
  'ph',
  'fn',
  'ln',
  'db',
  'zp',
] as const;

export const REDACTED = '[redacted]';

/**
 * Credentials that can be told by their shape alone, wherever they stand in a text. Each pattern is global
 * and matches the credential only (never what is around it).
 */
export const SECRET_SHAPES: readonly RegExp[] = [
  // adsync's own: tenant API keys (`adsync_…`) and what generateToken issues (operators, webhook signing
  // secrets, admin sessions, their CSRF tokens, single-use login links).
  /(?<![A-Za-z0-9_])(?:adsync|op|whsec|session|csrf|login)_[A-Za-z0-9_-]{16,}/g,
  // Klaviyo private API keys.
  /(?<![A-Za-z0-9_])pk_[A-Za-z0-9_]{16,}/g,
  // Meta access tokens.
  /(?<![A-Za-z0-9])EAA[A-Za-z0-9]{16,}/g,
  // Google OAuth access and refresh tokens.
  /(?<![A-Za-z0-9])ya29\.[A-Za-z0-9._-]{16,}/g,
  /(?<![A-Za-z0-9/])1\/\/[A-Za-z0-9_-]{16,}/g,
  // JSON Web Tokens (id tokens, Klaviyo and Google OAuth access tokens): three base64url parts.
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
];

/** Personal data that can be told by its shape in a text: email addresses (Klaviyo profiles, events). */
export const PII_SHAPES: readonly RegExp[] = [/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g];

/** Query-string parameters that carry credentials beyond SECRET_KEYS: OAuth codes and states, signatures. */
export const SECRET_QUERY_PARAMETERS = ['code', 'state', 'key', 'sig', 'signature', 'appsecret_proof'] as const;
