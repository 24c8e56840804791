// Signing a brand admin into the browser: the brand's backend mints a single-use login link with its API
// key; opening it sets an httpOnly, SameSite session cookie and a CSRF token, then goes on to `next`.

import { generateToken, hashToken } from '@adsync/crypto';
import { consumeLoginLink, insertAdminSession, insertLoginLink, revokeAdminSession } from '@adsync/db';
import { AppError } from '@adsync/errors';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { renderResultPage } from '../connections/result-page.ts';
import { checkReturnUrl } from '../connections/return-url.ts';
import type { GatewayDeps } from '../gateway-deps.ts';
import { CSRF_COOKIE, requireTenant, SESSION_COOKIE, tenantOf } from './tenant-auth.ts';

const LOGIN_LINK_MS = 10 * 60_000;
const SESSION_MS = 12 * 3_600_000;
const loginLinkBody = z.strictObject({ next: z.string().max(2000).optional() }).default({});

export function adminSessionRoutes(deps: GatewayDeps) {
  const secure = new URL(deps.config.PUBLIC_BASE_URL).protocol === 'https:';

  return async (app: FastifyInstance) => {
    app.post('/v1/admin/login-links', { preHandler: requireTenant(deps) }, async (request) => {
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

    app.get('/admin/login', async (request, reply) => {
      const { token, next } = request.query as { token?: string; next?: string };
      const tenantId = typeof token === 'string' ? await consumeLoginLink(deps.db, hashToken(token)) : undefined;
      if (tenantId === undefined) {
        return reply
          .status(400)
          .type('text/html; charset=utf-8')
          .send(
            renderResultPage({
              title: 'This sign-in link does not work',
              message: 'It was already used or has expired. Ask for a new one from your account.',
              code: 'login_link_invalid',
            }),
          );
      }
      const sessionToken = generateToken('session');
      const csrfToken = generateToken('csrf');
      await insertAdminSession(deps.db, {
        tenantId,
        tokenHash: hashToken(sessionToken),
        csrfTokenHash: hashToken(csrfToken),
        expiresAt: new Date(Date.now() + SESSION_MS),
      });
      const maxAge = SESSION_MS / 1000;
      // Lax, not Strict: the platforms send the browser back to our callback with a cross-site navigation.
      reply.setCookie(SESSION_COOKIE, sessionToken, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge });
      // Readable by our page's script, which echoes it in the x-csrf-token header.
      reply.setCookie(CSRF_COOKIE, csrfToken, { httpOnly: false, sameSite: 'strict', secure, path: '/', maxAge });
      let target = '/admin';
      try {
        target = checkReturnUrl(next, deps.config.PUBLIC_BASE_URL) ?? target;
      } catch {
        // An unusable `next` falls back to the admin page rather than failing a good sign-in.
      }
      return reply.header('cache-control', 'no-store').redirect(target, 303);
    });

    app.post('/admin/logout', { preHandler: requireTenant(deps) }, async (request, reply) => {
      const principal = tenantOf(request);
      if (principal.via === 'session') await revokeAdminSession(deps.db, principal.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
      return reply.status(204).send();
    });
  };
}
