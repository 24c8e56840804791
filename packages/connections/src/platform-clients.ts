// The platform clients, built once from configuration: an OAuth client for each configured platform, and
// Klaviyo private-key validation. The gateway connects with them; the workers refresh and sync with them.

import type { ResolvedProviders } from '@adsync/config';
import { AppError } from '@adsync/errors';
import {
  createGoogleProvider,
  createKlaviyoProvider,
  createMetaProvider,
  createTikTokProvider,
  type DiscoveredAccount,
  type OAuthProvider,
  type ProviderId,
  type ProviderResult,
  validateKlaviyoPrivateKey,
} from '@adsync/providers';

export interface PlatformClients {
  /** The platform's OAuth client; throws `provider_not_configured` (409) when its app is not set up. */
  oauth(provider: ProviderId): OAuthProvider;
  /** Checks a Klaviyo private key against the API: the account it reaches and its public key. */
  validateKlaviyoKey(input: {
    privateKey: string;
    publicKey?: string;
  }): Promise<ProviderResult<{ account: DiscoveredAccount; publicKey: string }>>;
}

const FACTORIES: Partial<Record<ProviderId, (resolved: ResolvedProviders) => OAuthProvider | undefined>> = {
  meta: (resolved) => createMetaProvider(resolved.settings.meta),
  google: (resolved) => createGoogleProvider(resolved.settings.google),
  tiktok: (resolved) => createTikTokProvider(resolved.settings.tiktok),
  // Private keys need no app; OAuth does.
  klaviyo: (resolved) =>
    resolved.settings.klaviyo.clientId === '' || resolved.settings.klaviyo.clientSecret === ''
      ? undefined
      : createKlaviyoProvider(resolved.settings.klaviyo),
};

export function createPlatformClients(resolved: ResolvedProviders): PlatformClients {
  const clients = new Map<ProviderId, OAuthProvider>();
  for (const id of resolved.configured) {
    const client = FACTORIES[id]?.(resolved);
    if (client !== undefined) clients.set(id, client);
  }
  return {
    oauth(provider) {
      const client = clients.get(provider);
      if (client === undefined) {
        throw new AppError(
          'provider_not_configured',
          `Connecting ${provider} by OAuth is not set up on this adsync: an operator must set its app credentials (see .env.example).`,
          // Not a 5xx: nothing is broken or worth retrying; this adsync does not offer the platform yet.
          { status: 409 },
        );
      }
      return client;
    },
    validateKlaviyoKey: (input) => validateKlaviyoPrivateKey(resolved.settings.klaviyo, input),
  };
}
