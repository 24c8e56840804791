// Connect links: how a tenant's backend (or an admin for a colleague) starts a connect flow in someone
// else's browser — Nango's "connect link" idea. A link is single-use, lasts CONNECT_LINK_MS, names its
// tenant on a confirmation page before anything happens, and ends with the key behind it. The platform's
// consent URL itself is never handed out: whoever opens it would connect their grant into this tenant.

import { generateToken, hashToken } from '@adsync/crypto';
import { insertConnectLink } from '@adsync/db';
import type { OAuthProvider, ProviderId } from '@adsync/providers';
import type { GatewayDeps } from '../gateway-deps.ts';
import { apiKeyBehind, type TenantPrincipal } from '../tenants/tenant-auth.ts';

/** Long enough to reach a brand admin by chat or email and be opened; short enough to die unused. */
export const CONNECT_LINK_MS = 30 * 60_000;

export const CONNECT_PATH = '/oauth/connect';
export const CONNECT_LINKS_API = '/v1/connect-links';

/** How each platform is named to people. */
export const PLATFORM_NAMES: Record<ProviderId, string> = {
  meta: 'Meta',
  google: 'Google Ads',
  tiktok: 'TikTok',
  klaviyo: 'Klaviyo',
};

export interface MintedConnectLink {
  url: string;
  provider: ProviderId;
  expiresAt: string;
}

/** A new connect link for the principal's tenant; the token is in the URL only, its hash in the table. */
export async function mintConnectLink(
  deps: GatewayDeps,
  principal: TenantPrincipal,
  link: { provider: ProviderId; returnUrl: string | null },
): Promise<MintedConnectLink> {
  // Refuses a platform that is not set up here now, not when the admin opens the link.
  deps.providers.oauth(link.provider);
  const token = generateToken('connect');
  const expiresAt = new Date(Date.now() + CONNECT_LINK_MS);
  await insertConnectLink(deps.db, {
    tokenHash: hashToken(token),
    tenantId: principal.tenantId,
    provider: link.provider,
    returnUrl: link.returnUrl,
    apiKeyId: apiKeyBehind(principal),
    sessionId: principal.via === 'session' ? principal.sessionId : null,
    expiresAt,
  });
  const url = new URL(CONNECT_PATH, deps.config.PUBLIC_BASE_URL);
  url.searchParams.set('token', token);
  return { url: url.toString(), provider: link.provider, expiresAt: expiresAt.toISOString() };
}

/**
 * The origin of the platform's consent page, for the confirmation page's `form-action` (browsers check it
 * on the redirect our form's answer makes there).
 */
export function consentOrigin(client: OAuthProvider): string {
  return new URL(client.authorizationUrl({ state: 'origin-only', codeChallenge: 'origin-only' })).origin;
}
