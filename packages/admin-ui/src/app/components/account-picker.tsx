// Choosing which of a connection's ad accounts adsync syncs (platforms often share several).

import { useState } from 'preact/hooks';
import { apiRequest } from '../api.ts';
import type { ConnectionView } from '../types.ts';
import { useAction } from '../use-api.ts';
import { ErrorMessage, Notice } from './messages.tsx';

export function AccountPicker(props: { connection: ConnectionView; onSaved: () => void }) {
  const { connection } = props;
  const initial = connection.accounts.filter((account) => account.selected).map((account) => account.externalId);
  const [selected, setSelected] = useState<string[]>(initial);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const toggle = (externalId: string, on: boolean) => {
    setSaved(false);
    setSelected((current) => (on ? [...current, externalId] : current.filter((id) => id !== externalId)));
  };
  return (
    <form
      class="accounts"
      onSubmit={async (event) => {
        event.preventDefault();
        const ok = await action.run(() => apiRequest('PUT', `/v1/connections/${connection.id}/accounts`, { selected }));
        if (ok) {
          setSaved(true);
          props.onSaved();
        }
      }}
    >
      <fieldset>
        <legend>Ad accounts to sync</legend>
        {connection.accounts.map((account) => (
          <label key={account.id} class="checkbox">
            <input
              type="checkbox"
              name="accounts"
              value={account.externalId}
              checked={selected.includes(account.externalId)}
              onChange={(event) => toggle(account.externalId, event.currentTarget.checked)}
            />
            <span>
              {account.name}{' '}
              <span class="muted">
                ({account.externalId} · {account.currency})
              </span>
            </span>
          </label>
        ))}
      </fieldset>
      {selected.length === 0 && <p class="muted">Choose at least one account for adsync to sync its spend.</p>}
      <ErrorMessage>{action.error}</ErrorMessage>
      {saved && <Notice tone="success">Saved: adsync syncs {selected.length} account(s).</Notice>}
      <button type="submit" class="button button--primary" disabled={action.busy || selected.length === 0}>
        Save account selection
      </button>
    </form>
  );
}
