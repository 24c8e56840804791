// A brand admin's browser signed in to the admin page, for tests: signs in with an API key (the sign-in page's
// form) or through a login link's page, and calls the API as the admin page's script does (session cookie,
// CSRF token, our own origin).

import { expect } from 'vitest';
import { TestBrowser } from './connect-client.ts';

export class AdminBrowser extends TestBrowser {
  /** Signs in with an API key, as the sign-in page does. */
  async signInWithKey(apiKey: string): Promise<Response> {
    return this.fetch('/admin/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: this.origin, 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ apiKey }),
    });
  }

  /** Opens a login link and presses "Sign in" on its page; returns that press's answer. */
  async signInWithLink(url: string): Promise<Response> {
    const page = await this.fetch(url);
    expect(page.status, 'the login link page').toBe(200);
    const token = /name="token" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    return this.submit('/admin/login', { token });
  }

  /** An API call as the admin page makes it. */
  async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await this.fetch(path, {
      method,
      headers: {
        'x-csrf-token': this.cookie('adsync_csrf') ?? '',
        origin: this.origin,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  }
}
