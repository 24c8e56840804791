// Binds an OAuth flow to the browser that started it (RFC 9700, OAuth 2.0 Security BCP §4.7: CSRF and
// "authorization code injection" defences need the state tied to the user agent). Starting a flow sets a
// short-lived, httpOnly, SameSite=Lax cookie named for the state's nonce, holding a random secret whose hash
// the state row keeps; the callback must bring it. Whoever else opens the platform's consent URL — a brand
// admin an attacker sent it to — lands on our callback without the cookie, and nothing is stored.
// Lax, not Strict: the platform sends the browser back with a cross-site top-level navigation.

import { generateToken, hashToken } from '@adsync/crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Only the OAuth routes see the cookie. */
const COOKIE_PATH = '/oauth/';

function cookieName(nonce: string): string {
  return `adsync_oauth_${nonce}`;
}

/** Sets the binding cookie for a new flow; returns the hash its state row must keep. */
export function bindBrowser(reply: FastifyReply, nonce: string, options: { secure: boolean; maxAgeMs: number }) {
  const secret = generateToken('oauthbind');
  reply.setCookie(cookieName(nonce), secret, {
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
    path: COOKIE_PATH,
    maxAge: Math.floor(options.maxAgeMs / 1000),
  });
  return hashToken(secret);
}

/** The hash of the binding cookie the callback brought for this flow, if it brought one. */
export function browserBindingOf(request: FastifyRequest, nonce: string): string | undefined {
  const value = request.cookies[cookieName(nonce)];
  return value === undefined || value === '' ? undefined : hashToken(value);
}

/** The flow is over (done or refused for good): its cookie goes. */
export function releaseBrowser(reply: FastifyReply, nonce: string): void {
  reply.clearCookie(cookieName(nonce), { path: COOKIE_PATH });
}
