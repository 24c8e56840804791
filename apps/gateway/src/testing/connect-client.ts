// Drives a connect flow by plain HTTP, as a brand admin's browser would: our start link (with the tenant's
// API key), the platform's consent page in the simulator, and back to our callback.

import { completeConsent } from '@adsync/simulator';

export interface ConnectAttempt {
  /** Where our start link sent the browser (the platform's authorize URL). */
  authorizeUrl: string;
  /** Where the platform sent the browser back (our callback, with the platform's parameters). */
  callbackUrl: URL;
  /** Our callback's answer. */
  response: Response;
}

export async function startConnect(
  gatewayUrl: string,
  apiKey: string,
  provider: string,
  returnTo?: string,
): Promise<Response> {
  const query = returnTo === undefined ? '' : `?${new URLSearchParams({ return_to: returnTo })}`;
  return fetch(`${gatewayUrl}/oauth/${provider}/start${query}`, {
    headers: { authorization: `Bearer ${apiKey}` },
    redirect: 'manual',
  });
}

export async function connectByHttp(
  gatewayUrl: string,
  apiKey: string,
  provider: string,
  choice: { decision?: 'approve' | 'deny'; accounts?: readonly string[]; returnTo?: string } = {},
): Promise<ConnectAttempt> {
  const start = await startConnect(gatewayUrl, apiKey, provider, choice.returnTo);
  const authorizeUrl = start.headers.get('location');
  if (start.status !== 302 || authorizeUrl === null) {
    throw new Error(`start answered ${start.status}: ${await start.text()}`);
  }
  const callbackUrl = await completeConsent(authorizeUrl, {
    decision: choice.decision ?? 'approve',
    ...(choice.accounts === undefined ? {} : { accounts: choice.accounts }),
  });
  const response = await fetch(callbackUrl, { redirect: 'manual' });
  return { authorizeUrl, callbackUrl, response };
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
