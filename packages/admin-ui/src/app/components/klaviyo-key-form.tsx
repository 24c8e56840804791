// Connecting Klaviyo with a private API key instead of OAuth (the key goes straight to adsync, sealed).

import { useState } from 'preact/hooks';
import { apiRequest } from '../api.ts';
import { useAction } from '../use-api.ts';
import { ErrorMessage } from './messages.tsx';

export function KlaviyoKeyForm(props: { onConnected: () => void }) {
  const [privateKey, setPrivateKey] = useState('');
  const [publicKey, setPublicKey] = useState('');
  const action = useAction();
  return (
    <form
      class="key-form"
      onSubmit={async (event) => {
        event.preventDefault();
        const ok = await action.run(() =>
          apiRequest('POST', '/v1/connections/klaviyo/api-key', {
            privateKey: privateKey.trim(),
            ...(publicKey.trim() === '' ? {} : { publicKey: publicKey.trim() }),
          }),
        );
        if (ok) {
          setPrivateKey('');
          props.onConnected();
        }
      }}
    >
      <label for="klaviyo-private-key">Klaviyo private API key</label>
      <input
        id="klaviyo-private-key"
        type="password"
        autoComplete="off"
        required
        placeholder="pk_…"
        value={privateKey}
        onInput={(event) => setPrivateKey(event.currentTarget.value)}
      />
      <label for="klaviyo-public-key">Public key (site id, optional)</label>
      <input
        id="klaviyo-public-key"
        autoComplete="off"
        value={publicKey}
        onInput={(event) => setPublicKey(event.currentTarget.value)}
      />
      <ErrorMessage>{action.error}</ErrorMessage>
      <button type="submit" class="button" disabled={action.busy}>
        Connect with this key
      </button>
    </form>
  );
}
