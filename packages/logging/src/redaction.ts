// What never reaches a log line: credentials, session material and the PII fields adsync handles.
// Paths are listed at several depths because a redaction path names one position in the object.

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

const DEPTH = 4;

function pathsFor(key: string): string[] {
  const accessor = /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`;
  const paths: string[] = [accessor.startsWith('.') ? key : accessor];
  for (let depth = 1; depth <= DEPTH; depth += 1) paths.push(`${'*.'.repeat(depth).slice(0, -1)}${accessor}`);
  return paths;
}

export const REDACT_PATHS: readonly string[] = [...SECRET_KEYS, ...PII_KEYS].flatMap(pathsFor);

export const REDACTED = '[redacted]';
