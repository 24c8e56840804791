// The line shown after coming back from a platform's consent page.

import { platformName } from '../format.ts';

export function ConnectResult(props: { result: { provider: string; status: string; missingScopes: string[] } }) {
  const { provider, status, missingScopes } = props.result;
  const name = platformName(provider);
  return (
    <div role="status" class={`message message--${missingScopes.length > 0 ? 'warning' : 'success'}`}>
      <p>
        {status === 'pending'
          ? `${name} is connected. Choose which ad accounts adsync should sync.`
          : `${name} is connected. adsync now syncs it.`}
      </p>
      {missingScopes.length > 0 && (
        <p>
          Some permissions were declined ({missingScopes.join(', ')}). Reconnect and allow them, or some features will
          not work.
        </p>
      )}
    </div>
  );
}
