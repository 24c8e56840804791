// The text counterpart of redactSecrets: free text adsync shows (a job's failure reason and stack trace in
// Bull Board, error messages) can hold a credential that no key names, e.g. an error quoting a URL with
// `access_token=…`, a `Bearer …` header or a Klaviyo `pk_…` key, or a profile's email address. Each is
// replaced by `[redacted]`; the text around it stays, so a failure still says what failed.

import { PII_SHAPES, REDACTED, SECRET_KEYS, SECRET_QUERY_PARAMETERS, SECRET_SHAPES } from './redaction.ts';

function escaped(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

/** Longest first, so `access_token` wins over `token`. */
function alternation(names: readonly string[]): string {
  return [...new Set(names.map((name) => name.toLowerCase()))]
    .sort((a, b) => b.length - a.length)
    .map(escaped)
    .join('|');
}

/** What separates a name from its value: `=`, `: `, `":"`, `\":\"` (JSON in a string), `%3D` (in a URL). */
const SEPARATOR = String.raw`\\?["']?\s*(?:[:=]|%3[Dd])\s*\\?["']?`;
/** A value runs to whitespace, a quote or a delimiter; `[redacted]` itself is never matched again. */
const VALUE = String.raw`[^\s"'&,;<>()[\]{}\\]+`;

const PATTERNS: readonly [RegExp, string][] = [
  // A header line or field: everything after it, scheme and all (`authorization: Token abc`).
  [
    new RegExp(
      String.raw`(?<![A-Za-z0-9-])((?:proxy-)?authorization${SEPARATOR})(?:[A-Za-z][A-Za-z0-9-]*\s+)?${VALUE}`,
      'gi',
    ),
    `$1${REDACTED}`,
  ],
  // Cookies run to the end of the line: `cookie: a=1; b=2`.
  [new RegExp(String.raw`(?<![A-Za-z0-9-])((?:set-)?cookie${SEPARATOR})[^\r\n"'\\]+`, 'gi'), `$1${REDACTED}`],
  // Credentials after their scheme, wherever they stand.
  [/\b(Bearer|Basic|Digest|OAuth|Klaviyo-API-Key)\s+[A-Za-z0-9._~+/=-]{12,}/gi, `$1 ${REDACTED}`],
  // A secret's name, then its value: `access_token=…`, `"client_secret": "…"`, `api_key: …`.
  [
    new RegExp(`(?<![A-Za-z0-9])((?:${alternation(SECRET_KEYS)})(?![A-Za-z0-9_])${SEPARATOR})${VALUE}`, 'gi'),
    `$1${REDACTED}`,
  ],
  // Query parameters that are secrets only in a URL (`?code=…&state=…`).
  [new RegExp(`([?&#](?:${alternation(SECRET_QUERY_PARAMETERS)})=)${VALUE}`, 'gi'), `$1${REDACTED}`],
  ...[...SECRET_SHAPES, ...PII_SHAPES].map((shape): [RegExp, string] => [shape, REDACTED]),
];

/** `text` with every credential (and email address) it shows replaced by `[redacted]`. */
export function redactSecretsInText(text: string): string {
  let result = text;
  for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
  return result;
}
