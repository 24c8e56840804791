// One platform's card: its status in plain words, what to do next (connect, choose accounts, reconnect),
// its ad accounts, when it last refreshed and synced, and disconnecting with a confirmation.

import { useState } from 'preact/hooks';
import { apiRequest } from '../api.ts';
import { formatDateTime, platformName, relativeTime } from '../format.ts';
import type { ConnectionView } from '../types.ts';
import { useAction } from '../use-api.ts';
import { AccountPicker } from './account-picker.tsx';
import { ConfirmButton } from './confirm-button.tsx';
import { KlaviyoKeyForm } from './klaviyo-key-form.tsx';
import { ErrorMessage, Notice } from './messages.tsx';

type Tone = 'ok' | 'busy' | 'warning' | 'error' | 'off';

function statusOf(connection: ConnectionView | undefined): { label: string; tone: Tone } {
  if (connection === undefined) return { label: 'Not connected', tone: 'off' };
  switch (connection.status) {
    case 'pending':
      return { label: 'Connected: choose ad accounts', tone: 'warning' };
    case 'active':
      return connection.refreshing ? { label: 'Refreshing access', tone: 'busy' } : { label: 'Connected', tone: 'ok' };
    case 'needs_reauth':
      return { label: 'Needs reconnection', tone: 'error' };
    case 'degraded':
      return { label: 'Degraded', tone: 'warning' };
    default:
      return { label: 'Disconnected', tone: 'off' };
  }
}

/** Where the platform's consent page sends the admin back to. */
function startUrl(provider: string, returnTo: string): string {
  return `/oauth/${provider}/start?return_to=${encodeURIComponent(returnTo)}`;
}

export function ProviderCard(props: {
  provider: string;
  connection: ConnectionView | undefined;
  returnTo: string;
  onChanged: () => void;
}) {
  const { provider, connection } = props;
  const name = platformName(provider);
  const status = statusOf(connection);
  const action = useAction();
  const [showKeyForm, setShowKeyForm] = useState(false);
  const live = connection !== undefined && connection.status !== 'disconnected';
  const usesKey = connection?.authMethod === 'api_key';

  const reconnect = () =>
    action.run(async () => {
      if (connection === undefined) return;
      if (usesKey) {
        setShowKeyForm(true);
        return;
      }
      // A connect link: opened in this browser, signed in to this tenant, it goes straight to the platform.
      const { url } = await apiRequest<{ url: string }>('POST', `/v1/connections/${connection.id}/reconnect`, {
        returnTo: props.returnTo,
      });
      location.assign(url);
    });
  const disconnect = () =>
    action.run(async () => {
      if (connection === undefined) return;
      await apiRequest('POST', `/v1/connections/${connection.id}/disconnect`);
      props.onChanged();
    });

  return (
    <section class="card provider" aria-labelledby={`card-${provider}`} data-provider={provider}>
      <header class="provider__head">
        <h2 id={`card-${provider}`}>{name}</h2>
        <span class={`badge badge--${status.tone}`} data-testid="status">
          {status.label}
        </span>
      </header>

      {connection?.lastError && (connection.status === 'needs_reauth' || connection.status === 'degraded') && (
        <p class="message message--error">
          {connection.lastError.message ?? connection.lastError.code}
          {connection.lastError.at === null ? '' : ` (${formatDateTime(connection.lastError.at)})`}
        </p>
      )}
      {connection?.expiryWarning && (
        <Notice tone="warning">
          {name} access expires {relativeTime(connection.expiryWarning.expiresAt)} and cannot be renewed automatically.
          Reconnect before {formatDateTime(connection.expiryWarning.expiresAt)} to keep syncing.
        </Notice>
      )}

      {live && (
        <dl class="facts">
          <dt>Last refresh</dt>
          <dd>{formatDateTime(connection.lastRefreshedAt)}</dd>
          <dt>Last sync</dt>
          <dd>{formatDateTime(connection.lastSyncedAt)}</dd>
          {connection.accessTokenExpiresAt !== null && !connection.renewsAutomatically && (
            <>
              <dt>Access valid until</dt>
              <dd>{formatDateTime(connection.accessTokenExpiresAt)}</dd>
            </>
          )}
        </dl>
      )}

      {live && (connection.accounts.length > 1 || connection.status === 'pending') && (
        <AccountPicker key={connection.id} connection={connection} onSaved={props.onChanged} />
      )}
      {live && connection.accounts.length === 1 && connection.status !== 'pending' && (
        <p>
          Account: {connection.accounts[0]?.name} <span class="muted">({connection.accounts[0]?.externalId})</span>
        </p>
      )}

      <ErrorMessage>{action.error}</ErrorMessage>
      <div class="actions">
        {!live && (
          <a class="button button--primary" href={startUrl(provider, props.returnTo)}>
            Connect {name}
          </a>
        )}
        {!live && provider === 'klaviyo' && !showKeyForm && (
          <button type="button" class="button" onClick={() => setShowKeyForm(true)}>
            Use a private API key instead
          </button>
        )}
        {live && (
          <button
            type="button"
            class={`button ${connection.status === 'needs_reauth' ? 'button--primary' : ''}`}
            disabled={action.busy}
            onClick={reconnect}
          >
            Reconnect
          </button>
        )}
        {live && (
          <ConfirmButton
            label="Disconnect"
            title={`Disconnect ${name}?`}
            confirmLabel={`Disconnect ${name}`}
            disabled={action.busy}
            onConfirm={disconnect}
          >
            <p>
              adsync stops syncing {name}, forgets its credentials and revokes them at {name} where it can. You can
              connect again at any time.
            </p>
          </ConfirmButton>
        )}
      </div>
      {showKeyForm && (
        <KlaviyoKeyForm
          onConnected={() => {
            setShowKeyForm(false);
            props.onChanged();
          }}
        />
      )}
    </section>
  );
}
