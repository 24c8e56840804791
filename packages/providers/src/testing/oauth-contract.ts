// The contract every OAuth provider client passes against the simulator (STYLE §4): consent by plain HTTP,
// code exchange with the required scopes, account discovery, single-use codes, denial, revocation, and
// no secret in any error message. Each provider's test file calls this, then adds its own cases.

import { createPkcePair } from '@adsync/crypto';
import { completeConsent } from '@adsync/simulator';
import { describe, expect, it } from 'vitest';
import type { OAuthProvider, TokenSet } from '../provider.ts';

export interface ContractSetup {
  /** A provider pointed at a running simulator. */
  provider: () => OAuthProvider;
  /** Secrets of the configured app; none may appear in an error message. */
  secrets: () => readonly string[];
}

async function authorize(provider: OAuthProvider, decision: 'approve' | 'deny') {
  const pkce = createPkcePair();
  const state = `contract-${Math.random().toString(36).slice(2)}`;
  const url = provider.authorizationUrl({ state, ...(provider.usesPkce ? { codeChallenge: pkce.challenge } : {}) });
  const landed = await completeConsent(url, { decision });
  return { landed, state, verifier: pkce.verifier };
}

async function connect(provider: OAuthProvider): Promise<{ tokens: TokenSet; code: string; verifier: string }> {
  const { landed, verifier } = await authorize(provider, 'approve');
  const outcome = provider.readCallback(Object.fromEntries(landed.searchParams));
  if (outcome.kind !== 'code') throw new Error(`expected a code, got ${outcome.kind}: ${outcome.message}`);
  const exchanged = await provider.exchangeCode({
    code: outcome.code,
    ...(provider.usesPkce ? { codeVerifier: verifier } : {}),
  });
  if (!exchanged.ok) throw new Error(`exchange failed: ${exchanged.error.message}`);
  return { tokens: exchanged.value, code: outcome.code, verifier };
}

export function describeOAuthContract(name: string, setup: ContractSetup): void {
  describe(`${name}: the OAuth provider contract`, () => {
    it('consent → callback with our state → code → credentials with the required scopes', async () => {
      const provider = setup.provider();
      const { landed, state } = await authorize(provider, 'approve');
      expect([...landed.searchParams.values()]).toContain(state);
      const { tokens } = await connect(provider);
      expect(tokens.accessToken.length).toBeGreaterThan(8);
      for (const scope of provider.requiredScopes) expect(tokens.scopes).toContain(scope);
      if (tokens.accessTokenExpiresAt !== null)
        expect(tokens.accessTokenExpiresAt.getTime()).toBeGreaterThan(Date.now());
    });

    it('discovers accounts with currency and time zone', async () => {
      const provider = setup.provider();
      const { tokens } = await connect(provider);
      const accounts = await provider.listAccounts(tokens);
      if (!accounts.ok) throw new Error(accounts.error.message);
      expect(accounts.value.length).toBeGreaterThan(0);
      for (const account of accounts.value) {
        expect(account.externalId).not.toBe('');
        expect(account.currency).toMatch(/^[A-Z]{3}$/);
        expect(() => new Intl.DateTimeFormat('en', { timeZone: account.timezone })).not.toThrow();
      }
    });

    it('a code works once; the second exchange is invalid_grant and names no secret', async () => {
      const provider = setup.provider();
      const { code, verifier } = await connect(provider);
      const again = await provider.exchangeCode({ code, ...(provider.usesPkce ? { codeVerifier: verifier } : {}) });
      expect(again.ok).toBe(false);
      if (again.ok) return;
      expect(again.error.code).toBe('invalid_grant');
      expect(again.error.retryable).toBe(false);
      for (const secret of [code, verifier, ...setup.secrets()]) expect(again.error.message).not.toContain(secret);
    });

    it('a denial reads as denied, with no code', async () => {
      const provider = setup.provider();
      const { landed } = await authorize(provider, 'deny');
      expect(provider.readCallback(Object.fromEntries(landed.searchParams)).kind).toBe('denied');
    });

    it('after revoke (where the platform has it) the credentials stop working', async () => {
      const provider = setup.provider();
      const { tokens } = await connect(provider);
      const revoked = await provider.revoke(tokens);
      if (!revoked.ok) throw new Error(revoked.error.message);
      if (!revoked.value) return;
      const accounts = await provider.listAccounts(tokens);
      expect(accounts.ok).toBe(false);
      if (!accounts.ok) expect(accounts.error.code).toBe('invalid_grant');
    });
  });
}
