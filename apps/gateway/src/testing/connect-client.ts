// Drives a connect flow by plain HTTP, as a brand's backend and a brand admin's browser would: the backend
// mints a connect link with its API key; the browser opens it, presses "Continue" (which binds the flow to
// its cookies), approves on the platform's consent page in the simulator, and comes back to our callback.

import { completeConsent } from '@adsync/simulator';

/** A browser as far as the gateway sees it: the cookies the gateway set on it, sent back by path. */
export class TestBrowser {
  private readonly cookies = new Map<string, { value: string; path: string }>();
  readonly origin: string;

  constructor(origin: string) {
    this.origin = new URL(origin).origin;
  }

  /** fetch with this browser's cookies for the gateway; redirects are not followed. */
  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url, this.origin);
    const headers = new Headers(init.headers);
    if (target.origin === this.origin) {
      const sent = [...this.cookies]
        .filter(([, cookie]) => target.pathname.startsWith(cookie.path))
        .map(([name, cookie]) => `${name}=${cookie.value}`);
      if (sent.length > 0) headers.set('cookie', sent.join('; '));
    }
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    if (target.origin === this.origin) {
      for (const line of response.headers.getSetCookie()) this.keep(line);
    }
    return response;
  }

  /** A form POST from one of the gateway's own pages. */
  submit(path: string, fields: Record<string, string>): Promise<Response> {
    return this.fetch(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: this.origin,
        'sec-fetch-site': 'same-origin',
      },
      body: new URLSearchParams(fields).toString(),
    });
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }

  cookieNames(): string[] {
    return [...this.cookies.keys()];
  }

  private keep(line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator);
    const value = pair.slice(separator + 1);
    const attribute = (key: string) =>
      attributes.find((part) => part.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
    const expires = attribute('expires');
    const gone =
      value === '' || attribute('max-age') === '0' || (expires !== undefined && Date.parse(expires) <= Date.now());
    if (gone) this.cookies.delete(name);
    else this.cookies.set(name, { value, path: attribute('path') ?? '/' });
  }
}

export interface ConnectStart {
  /** The answer that sends the browser to the platform (303), or the refusal. */
  response: Response;
  status: number;
  /** The platform's authorize URL the browser is sent to, when it is. */
  location: string | null;
  browser: TestBrowser;
  /** The connect link that was opened, when one was minted. */
  linkUrl?: string;
}

/** The connect link's token, from the confirmation page's form. */
function formToken(page: string): string {
  return /name="token" value="([^"]+)"/.exec(page)?.[1] ?? '';
}

/**
 * Opens a connect link in `browser` and presses "Continue" on its page (or is sent on at once, when the
 * browser is signed in to the link's tenant), up to the redirect to the platform. A refusal is returned as
 * it came.
 */
export async function openConnectLink(url: string, browser: TestBrowser): Promise<ConnectStart> {
  const answer = (response: Response): ConnectStart => ({
    response,
    status: response.status,
    location: response.status === 303 ? response.headers.get('location') : null,
    browser,
  });
  const opened = await browser.fetch(url);
  if (opened.status !== 200) return answer(opened);
  return answer(await browser.submit('/oauth/connect', { token: formToken(await opened.text()) }));
}

/** Mints a connect link with the API key and opens it in a fresh browser (or `browser`). */
export async function startConnect(
  gatewayUrl: string,
  apiKey: string,
  provider: string,
  returnTo?: string,
  browser = new TestBrowser(gatewayUrl),
): Promise<ConnectStart> {
  const minted = await fetch(`${gatewayUrl}/v1/connect-links`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ provider, ...(returnTo === undefined ? {} : { returnTo }) }),
  });
  if (minted.status !== 201) return { response: minted, status: minted.status, location: null, browser };
  const { url } = (await minted.json()) as { url: string };
  return { ...(await openConnectLink(url, browser)), linkUrl: url };
}

export interface ConnectAttempt {
  /** Where the connect link sent the browser (the platform's authorize URL). */
  authorizeUrl: string;
  /** Where the platform sent the browser back (our callback, with the platform's parameters). */
  callbackUrl: URL;
  /** Our callback's answer. */
  response: Response;
  /** The browser that did it (its cookies), e.g. to replay the callback from it. */
  browser: TestBrowser;
  /** The connect link it opened, and the binding cookie's value the gateway set on the browser. */
  linkUrl: string;
  bindingCookie: string;
}

export async function connectByHttp(
  gatewayUrl: string,
  apiKey: string,
  provider: string,
  choice: { decision?: 'approve' | 'deny'; accounts?: readonly string[]; returnTo?: string } = {},
): Promise<ConnectAttempt> {
  const start = await startConnect(gatewayUrl, apiKey, provider, choice.returnTo);
  if (start.status !== 303 || start.location === null) {
    throw new Error(`starting answered ${start.status}: ${await start.response.text()}`);
  }
  const callbackUrl = await completeConsent(start.location, {
    decision: choice.decision ?? 'approve',
    ...(choice.accounts === undefined ? {} : { accounts: choice.accounts }),
  });
  const bindingCookie = start.browser.cookieNames().find((name) => name.startsWith('adsync_oauth_')) ?? '';
  const bindingValue = start.browser.cookie(bindingCookie) ?? '';
  const response = await start.browser.fetch(callbackUrl);
  return {
    authorizeUrl: start.location,
    callbackUrl,
    response,
    browser: start.browser,
    linkUrl: start.linkUrl ?? '',
    bindingCookie: bindingValue,
  };
}

export async function api(
  gatewayUrl: string,
  apiKey: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> & { error?: { code: string; message: string } } }> {
  const response = await fetch(`${gatewayUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as never };
}
