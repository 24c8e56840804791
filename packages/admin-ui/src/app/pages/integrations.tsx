// Integrations: one card per platform, kept up to date while the page is open.

import { ConnectResult } from '../components/connect-result.tsx';
import { ErrorMessage, Loading, Notice } from '../components/messages.tsx';
import { ProviderCard } from '../components/provider-card.tsx';
import { connectionFor, connectResult } from '../connections.ts';
import { PLATFORMS } from '../format.ts';
import { Link, useLocation } from '../router.tsx';
import type { ConnectionView, OnboardingProgress } from '../types.ts';
import { useApi, usePolling } from '../use-api.ts';

export function IntegrationsPage() {
  const { query } = useLocation();
  const connections = useApi<{ connections: ConnectionView[] }>('/v1/connections');
  const onboarding = useApi<OnboardingProgress>('/v1/onboarding');
  usePolling(connections.reload, 10_000);
  const result = connectResult(query);
  const reload = async () => {
    await Promise.all([connections.reload(), onboarding.reload()]);
  };

  return (
    <>
      <h1>Integrations</h1>
      {result !== null && <ConnectResult result={result} />}
      {onboarding.data !== undefined && !onboarding.data.complete && (
        <Notice>
          Setup is not finished: {onboarding.data.steps.filter((step) => step.status !== 'not_started').length} of{' '}
          {onboarding.data.steps.length} platforms done. <Link href="/admin/onboarding">Continue setup</Link>
        </Notice>
      )}
      <ErrorMessage>{connections.error}</ErrorMessage>
      {connections.data === undefined ? (
        connections.loading && <Loading what="connections" />
      ) : (
        <div class="cards">
          {PLATFORMS.map((provider) => (
            <ProviderCard
              key={provider}
              provider={provider}
              connection={connectionFor(connections.data?.connections ?? [], provider)}
              returnTo="/admin"
              onChanged={reload}
            />
          ))}
        </div>
      )}
    </>
  );
}
