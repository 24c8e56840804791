// One way to call a platform over HTTP: undici, a timeout, JSON or form bodies, and every transport failure
// (timeout, reset, unparsable body) turned into an `unavailable` ProviderError whose message names the
// host and path only — never a query string, which may hold a token.

import { err, ok } from '@adsync/errors';
import { request } from 'undici';
import type { ProviderError, ProviderResult } from './provider.ts';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  timeoutMs?: number;
  /** Aborts the request (it then fails as `unavailable`). */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** `https://host/path` of a URL: safe to show, since tokens travel in query strings. */
export function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

export function unavailable(message: string): ProviderError {
  return { code: 'unavailable', message, retryable: true };
}

export async function httpJson(input: HttpRequest): Promise<ProviderResult<HttpResponse>> {
  const headers: Record<string, string> = { accept: 'application/json', ...input.headers };
  let body: string | undefined;
  if (input.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(input.form).toString();
  } else if (input.json !== undefined) {
    // A JSON flavour the platform asks for (Klaviyo's application/vnd.api+json) is kept.
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(input.json);
  }
  const timeout = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(input.url, {
      method: input.method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(input.signal === undefined ? {} : { signal: input.signal }),
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
  } catch (error) {
    const reason = error instanceof Error ? ((error as { code?: string }).code ?? error.name) : 'error';
    return err(unavailable(`${input.method} ${describeUrl(input.url)} failed (${reason}); retry later.`));
  }
  const text = await response.body.text();
  if (text === '') return ok({ status: response.statusCode, headers: response.headers, body: undefined });
  try {
    return ok({ status: response.statusCode, headers: response.headers, body: JSON.parse(text) as unknown });
  } catch {
    return err(
      unavailable(
        `${input.method} ${describeUrl(input.url)} answered ${response.statusCode} with a body that is not JSON.`,
      ),
    );
  }
}

/** A header's first value. */
export function headerValue(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
