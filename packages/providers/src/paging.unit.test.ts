// The check before every page: links off the platform's origin (or not links at all) and pages past the cap
// are refused as non-retryable invalid_response; messages name the host only, never a path or query.

import { expect, it } from 'vitest';
import { refusedPage } from './paging.ts';

const READ = { platform: 'Meta', of: 'ad accounts', maxPages: 3, origin: 'https://graph.facebook.com' } as const;

it('a link on the origin, within the cap, may be followed', () => {
  expect(refusedPage(READ, { number: 3, url: 'https://graph.facebook.com/v25.0/me/adaccounts?after=x' })).toBe(
    undefined,
  );
});

it.each([
  [
    'another host',
    'https://graph.facebook.com.evil.example/v25.0/me?access_token=secret',
    'graph.facebook.com.evil.example',
  ],
  ['another scheme', 'http://graph.facebook.com/v25.0/me', 'graph.facebook.com'],
  ['another port', 'https://graph.facebook.com:8443/v25.0/me', 'graph.facebook.com:8443'],
])('a link to %s is refused, naming only its host', (_what, url, host) => {
  const refused = refusedPage(READ, { number: 2, url });
  expect(refused).toMatchObject({ code: 'invalid_response', retryable: false });
  expect(refused?.message).toContain(`on another host (${host})`);
  expect(refused?.message).not.toContain('secret');
});

it('a next page that is not a URL is refused', () => {
  expect(refusedPage(READ, { number: 2, url: '/v25.0/me/adaccounts?after=x' })?.message).toBe(
    'Meta gave a next-page link for ad accounts that is not a URL; adsync refused to follow it, since the credentials would go with it.',
  );
});

it('a page past the cap is refused, for link and token paging alike', () => {
  expect(refusedPage(READ, { number: 4 })?.message).toBe(
    'Meta had more than 3 pages of ad accounts; adsync stopped reading rather than keep only part of them.',
  );
  const tokens = { platform: 'Google Ads', of: 'accounts', maxPages: 3 } as const;
  expect(refusedPage(tokens, { number: 4 })?.code).toBe('invalid_response');
});
