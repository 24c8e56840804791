// Where the browser goes after a connect flow. Only our own pages (a path, or an absolute URL on
// PUBLIC_BASE_URL's origin) are allowed, so a crafted start link cannot bounce a brand admin elsewhere.

import { AppError } from '@adsync/errors';

export function checkReturnUrl(value: unknown, publicBaseUrl: string): string | null {
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string' || value.length > 2000) throw invalidReturnUrl();
  const base = new URL(publicBaseUrl);
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    throw invalidReturnUrl();
  }
  // `//evil.example` and `/\evil.example` are absolute to a browser even though they start with a slash.
  if (url.origin !== base.origin || /^[/\\]{2}/.test(value) || value.startsWith('/\\')) throw invalidReturnUrl();
  return url.toString();
}

function invalidReturnUrl(): AppError {
  return new AppError(
    'invalid_return_url',
    'return_to must be a path on this adsync (e.g. /admin) or a URL on its PUBLIC_BASE_URL origin.',
    { status: 400 },
  );
}
