// What never reaches a log line, Bull Board or an error detail: credentials, session material and the PII
// fields adsync handles. A key is matched by name (any case) wherever it sits (see redact-secrets.ts).

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
