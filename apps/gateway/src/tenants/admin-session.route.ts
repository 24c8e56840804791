// Signing a brand admin into the browser, two ways: the brand's backend mints a single-use login link (an
// invite) with its API key, or the admin pastes a tenant API key into the sign-in page. Either sets an
// httpOnly, SameSite session cookie and a CSRF token; the key itself is never stored in the browser.

import { generateToken, hashToken } from '@adsync/crypto';
import { consumeLoginLink, findTenant, insertAdminSession, insertLoginLink, revokeAdminSession } from '@adsync/db';
import { AppError } from '@adsync/errors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { checkReturnUrl } from '../connections/return-url.ts';
import type { GatewayDeps } from '../gateway-deps.ts';
import { sendHtmlPage } from '../http/html-page.ts';
import { liveApiKey } from './api-key-cache.ts';
import { CSRF_COOKIE, requireTenant, SESSION_COOKIE, tenantOf } from './tenant-auth.ts';

const LOGIN_LINK_MS = 10 * 60_000;
const SESSION_MS = 12 * 3_600_000;
const loginLinkBody = z.strictObject({ next: z.string().max(2000).optional() }).default({});
const signInBody = z.strictObject({ apiKey: z.string().min(1).max(200) });

export function adminSessionRoutes(deps: GatewayDeps) {
  const secure = new URL(deps.config.PUBLIC_BASE_URL).protocol === 'https:';

  /** A new session for the tenant: its cookie and CSRF token are set on the reply. */
  const startSession = async (reply: FastifyReply, tenantId: string) => {
    const sessionToken = generateToken('session');
    const csrfToken = generateToken('csrf');
    const expiresAt = new Date(Date.now() + SESSION_MS);
    await insertAdminSession(deps.db, {
      tenantId,
      tokenHash: hashToken(sessionToken),
      csrfTokenHash: hashToken(csrfToken),
      expiresAt,
    });
    const maxAge = SESSION_MS / 1000;
    // Lax, not Strict: the platforms send the browser back to our callback with a cross-site navigation.
    reply.setCookie(SESSION_COOKIE, sessionToken, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge });
    // Readable by our page's script, which echoes it in the x-csrf-token header.
    reply.setCookie(CSRF_COOKIE, csrfToken, { httpOnly: false, sameSite: 'strict', secure, path: '/', maxAge });
    return expiresAt;
  };

  return async (app: FastifyInstance) => {
    const signInLimit = (request: FastifyRequest, reply: FastifyReply) => app.limits.take('signIn', request, reply);

    app.post('/v1/admin/login-links', { onRequest: requireTenant(deps) }, async (request) => {
      const parsed = loginLinkBody.safeParse(request.body ?? {});
      if (!parsed.success) {
        throw new AppError(
          'invalid_request',
          'The body may only hold "next", a path on this adsync to open after signing in.',
        );
      }
      const next = checkReturnUrl(parsed.data.next, deps.config.PUBLIC_BASE_URL);
      const token = generateToken('login');
      const expiresAt = new Date(Date.now() + LOGIN_LINK_MS);
      await insertLoginLink(deps.db, { tokenHash: hashToken(token), tenantId: tenantOf(request).tenantId, expiresAt });
      const url = new URL('/admin/login', deps.config.PUBLIC_BASE_URL);
      url.searchParams.set('token', token);
      if (next !== null) url.searchParams.set('next', new URL(next).pathname + new URL(next).search);
      return { url: url.toString(), expiresAt: expiresAt.toISOString() };
    });

    app.get('/admin/login', { onRequest: signInLimit }, async (request, reply) => {
      const { token, next } = request.query as { token?: string; next?: string };
      await app.limits.refuseWhileLockedOut(request, reply);
      const tenantId = typeof token === 'string' ? await consumeLoginLink(deps.db, hashToken(token)) : undefined;
      if (tenantId === undefined) {
        await app.limits.recordAuthFailure(request);
        return sendHtmlPage(reply, 400, {
          title: 'This sign-in link does not work',
          message: 'It was already used or has expired. Ask for a new one from your account.',
          code: 'login_link_invalid',
        });
      }
      await startSession(reply, tenantId);
      let target = '/admin';
      try {
        target = checkReturnUrl(next, deps.config.PUBLIC_BASE_URL) ?? target;
      } catch {
        // An unusable `next` falls back to the admin page rather than failing a good sign-in.
      }
      return reply.header('cache-control', 'no-store').redirect(target, 303);
    });

    // The sign-in page's form. JSON only (a cross-site HTML form cannot send it) and from our own origin,
    // so another site cannot sign a browser into a tenant of its choosing.
    app.post('/admin/sign-in', { onRequest: signInLimit }, async (request, reply) => {
      const origin = request.headers.origin;
      if (origin !== undefined && origin !== new URL(deps.config.PUBLIC_BASE_URL).origin) {
        throw new AppError('csrf_origin_mismatch', 'Sign in from the adsync admin page itself.', { status: 403 });
      }
      if (request.headers['content-type']?.startsWith('application/json') !== true) {
        throw new AppError('unsupported_media_type', 'Send the API key as JSON: {"apiKey": "adsync_…"}.', {
          status: 415,
        });
      }
      const parsed = signInBody.safeParse(request.body);
      if (!parsed.success) {
        throw new AppError('invalid_request', 'Send the API key as JSON: {"apiKey": "adsync_…"}.');
      }
      await app.limits.refuseWhileLockedOut(request, reply);
      const key = await liveApiKey(deps.db, hashToken(parsed.data.apiKey.trim()));
      if (key === undefined) {
        await app.limits.recordAuthFailure(request);
        throw new AppError(
          'api_key_invalid',
          'That API key is not valid: it may be mistyped or revoked. Copy a live key from your account and try again.',
          { status: 401 },
        );
      }
      const expiresAt = await startSession(reply, key.tenantId);
      return reply.header('cache-control', 'no-store').send({ signedIn: true, expiresAt: expiresAt.toISOString() });
    });

    app.get('/v1/admin/session', { onRequest: requireTenant(deps) }, async (request, reply) => {
      const principal = tenantOf(request);
      const tenant = await findTenant(deps.db, principal.tenantId);
      if (tenant === undefined) throw new AppError('unauthorized', 'This tenant no longer exists.', { status: 401 });
      return reply.header('cache-control', 'no-store').send({
        tenant: { id: tenant.id, name: tenant.name },
        via: principal.via,
      });
    });

    app.post('/admin/logout', { onRequest: requireTenant(deps) }, async (request, reply) => {
      const principal = tenantOf(request);
      if (principal.via === 'session') await revokeAdminSession(deps.db, principal.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
      return reply.status(204).send();
    });
  };
}
