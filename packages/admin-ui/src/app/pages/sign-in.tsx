// Signing in with a tenant API key: the key goes once to /admin/sign-in, which answers with a session
// cookie; the page never keeps the key. Brands can also send admins a single-use sign-in link.

import { useState } from 'preact/hooks';
import { apiRequest } from '../api.ts';
import { ErrorMessage } from '../components/messages.tsx';
import { useAction } from '../use-api.ts';

export function SignInPage(props: { onSignedIn: () => void }) {
  const [apiKey, setApiKey] = useState('');
  const action = useAction();
  return (
    <main class="page page--narrow" id="main">
      <h1>Sign in to adsync</h1>
      <p>Paste one of your brand’s adsync API keys, or open the sign-in link your team sent you.</p>
      <form
        class="card"
        onSubmit={async (event) => {
          event.preventDefault();
          const signedIn = await action.run(() => apiRequest('POST', '/admin/sign-in', { apiKey: apiKey.trim() }));
          if (signedIn) {
            setApiKey('');
            props.onSignedIn();
          }
        }}
      >
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="apiKey"
          type="password"
          autoComplete="off"
          required
          placeholder="adsync_…"
          value={apiKey}
          onInput={(event) => setApiKey(event.currentTarget.value)}
          aria-describedby={action.error === undefined ? undefined : 'sign-in-error'}
        />
        <ErrorMessage>
          {action.error === undefined ? undefined : <span id="sign-in-error">{action.error}</span>}
        </ErrorMessage>
        <button type="submit" class="button button--primary" disabled={action.busy}>
          {action.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
