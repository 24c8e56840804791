// Signing a brand admin into the browser, two ways: the brand's backend mints a single-use login link (an
// invite) with its API key, or the admin pastes a tenant API key into the sign-in page. Either sets an
// httpOnly, SameSite session cookie and a CSRF token; the key itself is never stored in the browser.
// Opening a login link shows whose admin page it opens ("Sign in to Acme?") and signs in only when that
// page's button is pressed: a link another tenant sent cannot silently swap the browser's session for its
// own (login CSRF). Every session records the API key behind it, so revoking the key ends the session.

import { generateToken, hashToken } from '@adsync/crypto';
import {
  type AdminSessionOrigin,
  consumeLoginLink,
  findTenant,
  findUsableLoginLink,
  insertAdminSession,
  insertLoginLink,
  revokeAdminSession,
} from '@adsync/db';
import { AppError } from '@adsync/errors';
import formBody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { GatewayDeps } from '../gateway-deps.ts';
import { sendFailurePage, sendHtmlPage } from '../http/html-page.ts';
import { requireOurPages } from '../http/same-origin.ts';
import { liveApiKey } from './api-key-cache.ts';
import {
  apiKeyBehind,
  CSRF_COOKIE,
  findTenantPrincipal,
  requireTenant,
  SESSION_COOKIE,
  tenantOf,
} from './tenant-auth.ts';

const LOGIN_LINK_MS = 10 * 60_000;
const SESSION_MS = 12 * 3_600_000;
const LOGIN_PATH = '/admin/login';
const loginLinkBody = z.strictObject({ next: z.string().max(2000).optional() }).default({});
const signInBody = z.strictObject({ apiKey: z.string().min(1).max(200) });
const tokenOf = (value: unknown) => (typeof value === 'string' && value.length <= 200 ? value : '');

/** A login link may only lead into the admin page: `/admin` or a path under it. */
function adminPath(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  const url = URL.canParse(value, 'http://x') ? new URL(value, 'http://x') : undefined;
  const isAdminPath =
    url !== undefined && url.origin === 'http://x' && /^\/admin(\/|$)/.test(url.pathname) && value.startsWith('/');
  if (!isAdminPath || value.startsWith('//') || value.includes('\\')) {
    throw new AppError(
      'invalid_next',
      '"next" must be a path under /admin (e.g. /admin/onboarding): a login link opens the admin page only.',
    );
  }
  return url.pathname + url.search;
}

function invalidLoginLink(): AppError {
  return new AppError(
    'login_link_invalid',
    'This sign-in link does not work: it was already used, has expired or was withdrawn. Ask for a new one.',
  );
}

export function adminSessionRoutes(deps: GatewayDeps) {
  const secure = new URL(deps.config.PUBLIC_BASE_URL).protocol === 'https:';

  /**
   * A new session for the tenant, its cookie and CSRF token set on the reply, replacing this browser's
   * previous session (which is ended). Refused when the key behind it was revoked meanwhile.
   */
  const startSession = async (
    request: FastifyRequest,
    reply: FastifyReply,
    origin: { tenantId: string; apiKeyId: string | null; parentSessionId: string | null; via: AdminSessionOrigin },
  ) => {
    const sessionToken = generateToken('session');
    const csrfToken = generateToken('csrf');
    const expiresAt = new Date(Date.now() + SESSION_MS);
    const session = await insertAdminSession(deps.db, {
      tenantId: origin.tenantId,
      tokenHash: hashToken(sessionToken),
      csrfTokenHash: hashToken(csrfToken),
      apiKeyId: origin.apiKeyId,
      parentSessionId: origin.parentSessionId,
      openedVia: origin.via,
      userAgent: request.headers['user-agent'] ?? null,
      clientIp: request.ip,
      expiresAt,
    });
    if (session === undefined) {
      throw new AppError('api_key_invalid', 'The API key behind this sign-in was revoked. Ask for a new link.', {
        status: 401,
      });
    }
    const previous = await findTenantPrincipal(deps, request, reply);
    if (previous?.via === 'session') await revokeAdminSession(deps.db, previous.sessionId);
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
        throw new AppError('invalid_request', 'The body may only hold "next", a path under /admin to open.');
      }
      const nextPath = adminPath(parsed.data.next);
      const principal = tenantOf(request);
      const token = generateToken('login');
      const expiresAt = new Date(Date.now() + LOGIN_LINK_MS);
      await insertLoginLink(deps.db, {
        tokenHash: hashToken(token),
        tenantId: principal.tenantId,
        apiKeyId: apiKeyBehind(principal),
        sessionId: principal.via === 'session' ? principal.sessionId : null,
        nextPath,
        expiresAt,
      });
      const url = new URL(LOGIN_PATH, deps.config.PUBLIC_BASE_URL);
      url.searchParams.set('token', token);
      return { url: url.toString(), expiresAt: expiresAt.toISOString() };
    });

    // The link's page and its button: answers are pages, refusals too.
    await app.register(async (pages) => {
      await pages.register(formBody);
      pages.setErrorHandler((error, request, reply) =>
        sendFailurePage(request, reply, error, { title: 'You were not signed in' }),
      );
      const guard = async (request: FastifyRequest, reply: FastifyReply) => {
        await signInLimit(request, reply);
        await pages.limits.refuseWhileLockedOut(request, reply);
      };

      pages.get(LOGIN_PATH, { onRequest: guard }, async (request, reply) => {
        const token = tokenOf((request.query as { token?: unknown }).token);
        const link = token === '' ? undefined : await findUsableLoginLink(deps.db, hashToken(token));
        const tenant = link === undefined ? undefined : await findTenant(deps.db, link.tenant_id);
        if (link === undefined || tenant === undefined) {
          await pages.limits.recordAuthFailure(request);
          throw invalidLoginLink();
        }
        const next = link.next_path ?? '/admin';
        const current = await findTenantPrincipal(deps, request, reply);
        if (current?.via === 'session' && current.tenantId === tenant.id) {
          return sendHtmlPage(reply, 200, {
            title: `You are signed in to ${tenant.name}`,
            message: 'This browser is already signed in to this admin page; the link was not needed.',
            link: { href: next, label: 'Open the admin page' },
          });
        }
        const other = current?.via === 'session' ? await findTenant(deps.db, current.tenantId) : undefined;
        return sendHtmlPage(reply, 200, {
          title: `Sign in to ${tenant.name}?`,
          message: [
            `This link signs this browser in to the adsync admin page of ${tenant.name}.`,
            ...(other === undefined
              ? []
              : [
                  `You are signed in as ${other.name} now. Signing in to ${tenant.name} signs you out of ` +
                    `${other.name}: whatever you do next is done for ${tenant.name}.`,
                ]),
            'If you did not expect this link, close this page: nothing happens until you sign in.',
          ],
          form: { action: LOGIN_PATH, fields: { token }, button: `Sign in to ${tenant.name}` },
        });
      });

      pages.post(LOGIN_PATH, { onRequest: guard, bodyLimit: 4_096 }, async (request, reply) => {
        requireOurPages(request, deps.config.PUBLIC_BASE_URL, 'Sign in from the page adsync showed for this link.');
        const token = tokenOf((request.body as { token?: unknown } | undefined)?.token);
        const link = token === '' ? undefined : await consumeLoginLink(deps.db, hashToken(token));
        if (link === undefined) {
          await pages.limits.recordAuthFailure(request);
          throw invalidLoginLink();
        }
        await startSession(request, reply, {
          tenantId: link.tenant_id,
          apiKeyId: link.api_key_id,
          parentSessionId: link.session_id,
          via: 'login_link',
        });
        return reply.header('cache-control', 'no-store').redirect(link.next_path ?? '/admin', 303);
      });
    });

    // The sign-in page's form. JSON only (a cross-site HTML form cannot send it) and from our own pages,
    // so another site cannot sign a browser into a tenant of its choosing.
    app.post('/admin/sign-in', { onRequest: signInLimit }, async (request, reply) => {
      requireOurPages(request, deps.config.PUBLIC_BASE_URL, 'Sign in from the adsync admin page itself.');
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
      const expiresAt = await startSession(request, reply, {
        tenantId: key.tenantId,
        apiKeyId: key.keyId,
        parentSessionId: null,
        via: 'sign_in',
      });
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
