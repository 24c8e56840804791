// Calls the gateway's JSON API from the admin page with the browser session: same-origin cookies, and the
// session's CSRF token echoed on every change. Failures become ApiError with the API's code and its
// plain-words message, ready to show.

const CSRF_COOKIE = 'adsync_csrf';
const SIGNED_OUT_EVENT = 'adsync:signed-out';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

function csrfToken(): string {
  const cookie = document.cookie.split('; ').find((part) => part.startsWith(`${CSRF_COOKIE}=`));
  return cookie === undefined ? '' : decodeURIComponent(cookie.slice(CSRF_COOKIE.length + 1));
}

export async function apiRequest<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken();
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'adsync could not be reached. Check your connection and try again.');
  }
  const text = await response.text();
  const parsed: unknown = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (response.status === 401) window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
    throw new ApiError(
      response.status,
      error?.code ?? 'unexpected_response',
      error?.message ?? `adsync answered ${response.status}; please try again.`,
    );
  }
  return parsed as T;
}

/** Runs `listener` when any call finds the session gone (expired or signed out elsewhere). */
export function onSignedOut(listener: () => void): () => void {
  window.addEventListener(SIGNED_OUT_EVENT, listener);
  return () => window.removeEventListener(SIGNED_OUT_EVENT, listener);
}

/** What a failed action shows: the API's own message, or a plain fallback for anything else. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'Something went wrong in this page. Reload it and try again.';
}
