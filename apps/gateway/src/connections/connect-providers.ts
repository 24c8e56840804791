// The platform clients the connect flows use, built from configuration: an OAuth client for each configured
// platform, and Klaviyo private-key validation.

import type { ResolvedProviders } from '@adsync/config';
import { AppError } from '@adsync/errors';
import { createMetaProvider, type OAuthProvider, type ProviderId } from '@adsync/providers';

export interface ConnectProviders {
  /** The platform's OAuth client; throws `provider_not_configured` (503) when its app is not set up. */
  oauth(provider: ProviderId): OAuthProvider;
}

const FACTORIES: Partial<Record<ProviderId, (resolved: ResolvedProviders) => OAuthProvider>> = {
  meta: (resolved) => createMetaProvider(resolved.settings.meta),
};

export function createConnectProviders(resolved: ResolvedProviders): ConnectProviders {
  const clients = new Map<ProviderId, OAuthProvider>();
  for (const id of resolved.configured) {
    const create = FACTORIES[id];
    if (create !== undefined) clients.set(id, create(resolved));
  }
  return {
    oauth(provider) {
      const client = clients.get(provider);
      if (client === undefined) {
        throw new AppError(
          'provider_not_configured',
          `Connecting ${provider} is not set up on this adsync: an operator must set its app credentials (see .env.example).`,
          { status: 503 },
        );
      }
      return client;
    },
  };
}
