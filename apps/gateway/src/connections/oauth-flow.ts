// The OAuth connect flow, start to finish. Start: a signed, single-use, expiring state (tenant, platform,
// nonce, return URL), PKCE where the platform takes it, and the state bound to the browser that starts it
// (browser-binding.ts). Callback: the state checked, bound to this browser, and burnt first, then the
// platform's answer, the code exchange and account discovery — all before anything is written — then one
// transaction that stores the sealed credentials, the accounts and the audit event.

import { sealedTokenColumns } from '@adsync/connections';
import {
  createPkcePair,
  createStateNonce,
  openSecret,
  sealSecret,
  signOAuthState,
  verifyOAuthState,
} from '@adsync/crypto';
import { type Connection, consumeOAuthState, insertOAuthState, isOAuthStatePending } from '@adsync/db';
import { AppError } from '@adsync/errors';
import type { ProviderId } from '@adsync/providers';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayDeps } from '../gateway-deps.ts';
import { bindBrowser, browserBindingOf, releaseBrowser } from './browser-binding.ts';
import { storeConnection } from './connection-store.ts';

/** Long enough to log in at the platform and pick accounts; short enough that a leaked link soon dies. */
const STATE_TTL_MS = 10 * 60_000;

export interface StartRequest {
  tenantId: string;
  provider: ProviderId;
  returnUrl: string | null;
}

/**
 * The platform URL to send the browser to. The binding cookie is set on `reply`, which must be the answer
 * to the browser that will go there.
 */
export async function startAuthorization(
  deps: GatewayDeps,
  reply: FastifyReply,
  request: StartRequest,
): Promise<string> {
  const client = deps.providers.oauth(request.provider);
  const nonce = createStateNonce();
  const pkce = client.usesPkce ? createPkcePair() : undefined;
  const expiresAt = Date.now() + STATE_TTL_MS;
  const secure = new URL(deps.config.PUBLIC_BASE_URL).protocol === 'https:';
  const browserBindingHash = bindBrowser(reply, nonce, { secure, maxAgeMs: STATE_TTL_MS });
  await insertOAuthState(deps.db, {
    nonce,
    tenantId: request.tenantId,
    provider: request.provider,
    returnUrl: request.returnUrl,
    pkceVerifierCiphertext:
      pkce === undefined ? null : sealSecret(deps.keyring, pkce.verifier, verifierContext(request.tenantId, nonce)),
    browserBindingHash,
    expiresAt: new Date(expiresAt),
  });
  const state = signOAuthState(deps.config.OAUTH_STATE_SECRET, {
    tenantId: request.tenantId,
    provider: request.provider,
    nonce,
    returnUrl: request.returnUrl ?? '',
    expiresAt,
  });
  return client.authorizationUrl({ state, ...(pkce === undefined ? {} : { codeChallenge: pkce.challenge }) });
}

function verifierContext(tenantId: string, nonce: string) {
  return { tenantId, connectionId: `oauth-state:${nonce}`, field: 'pkce_verifier' };
}

export interface CallbackResult {
  connection: Connection;
  /** Accounts discovered; more than one and none selected yet leaves the connection pending. */
  accountCount: number;
  missingScopes: string[];
  returnUrl: string | null;
  reconnected: boolean;
}

function refused(code: string, message: string): AppError {
  return new AppError(code, message, { status: 400 });
}

/**
 * Completes a callback. `callerTenantId` is the tenant the request itself authenticates as, if any; a state
 * minted for another tenant is refused, and so is one started in another browser. Throws AppError (400)
 * with a stable code for every refusal.
 */
export async function completeAuthorization(
  deps: GatewayDeps,
  input: {
    provider: ProviderId;
    query: Record<string, string | undefined>;
    callerTenantId?: string;
    /** The callback's request and answer: the binding cookie is read from one and cleared on the other. */
    browser: { request: FastifyRequest; reply: FastifyReply };
  },
): Promise<CallbackResult> {
  const verified = verifyOAuthState(deps.config.OAUTH_STATE_SECRET, input.query.state ?? '', Date.now());
  if (!verified.ok) {
    const messages = {
      malformed_state:
        'This link is not a valid sign-in answer (its state is missing or malformed). Start connecting again.',
      invalid_state_signature:
        'This sign-in answer was not started by adsync (its state signature is wrong). Start connecting again.',
      expired_state: 'This sign-in took too long and expired. Start connecting again.',
    } as const;
    throw refused(verified.error.code, messages[verified.error.code]);
  }
  const state = verified.value;
  if (state.provider !== input.provider) {
    throw refused(
      'state_provider_mismatch',
      `This sign-in was started for ${state.provider}, not ${input.provider}. Start connecting again.`,
    );
  }
  if (input.callerTenantId !== undefined && input.callerTenantId !== state.tenantId) {
    throw refused(
      'state_tenant_mismatch',
      'This sign-in was started by another brand. Start connecting again from your own account.',
    );
  }
  const browserBindingHash = browserBindingOf(input.browser.request, state.nonce);
  if (browserBindingHash === undefined) {
    throw refused(
      'state_browser_missing',
      'This sign-in was not started in this browser, so nothing was connected. If someone sent you a link to the ' +
        "platform's consent page, do not use it: ask for an adsync connect link, or connect from your adsync admin page.",
    );
  }
  // Burn the state before anything else, so neither a replay nor a second tab can use it again.
  const row = await consumeOAuthState(deps.db, {
    nonce: state.nonce,
    tenantId: state.tenantId,
    provider: input.provider,
    browserBindingHash,
  });
  if (row === undefined) {
    if (await isOAuthStatePending(deps.db, state.nonce)) {
      throw refused(
        'state_browser_mismatch',
        'This sign-in was started in another browser, so nothing was connected. Start connecting again here.',
      );
    }
    throw refused('state_already_used', 'This sign-in answer was already used or has expired. Start connecting again.');
  }
  // The flow ends here, however it ends: its cookie goes (a refusal before this, such as another platform's
  // callback, leaves the flow to finish).
  releaseBrowser(input.browser.reply, state.nonce);
  const client = deps.providers.oauth(input.provider);
  const outcome = client.readCallback(input.query);
  if (outcome.kind === 'denied') throw refused('authorization_denied', `${outcome.message} Nothing was connected.`);
  if (outcome.kind === 'error') throw refused('authorization_failed', `${outcome.message} Nothing was connected.`);

  const codeVerifier =
    row.pkce_verifier_ciphertext === null
      ? undefined
      : openSecret(deps.keyring, row.pkce_verifier_ciphertext, verifierContext(state.tenantId, state.nonce));
  const exchanged = await client.exchangeCode({
    code: outcome.code,
    ...(codeVerifier === undefined ? {} : { codeVerifier }),
  });
  if (!exchanged.ok) {
    throw refused('token_exchange_failed', `${exchanged.error.message} Nothing was connected; start again.`);
  }
  const discovered = await client.listAccounts(exchanged.value);
  if (!discovered.ok) {
    throw refused('account_discovery_failed', `${discovered.error.message} Nothing was connected; start again.`);
  }
  if (discovered.value.length === 0) {
    throw refused(
      'no_accounts',
      `No ${input.provider} account was shared with adsync. Connect again and choose at least one.`,
    );
  }
  const missingScopes = client.requiredScopes.filter((scope) => !exchanged.value.scopes.includes(scope));
  const tokens = exchanged.value;
  const stored = await storeConnection(deps, {
    tenantId: state.tenantId,
    provider: input.provider,
    authMethod: 'oauth',
    credentials: (key) => sealedTokenColumns(deps.keyring, key, tokens),
    accounts: discovered.value,
    missingScopes,
  });
  return {
    ...stored,
    accountCount: discovered.value.length,
    missingScopes,
    returnUrl: row.return_url,
  };
}
