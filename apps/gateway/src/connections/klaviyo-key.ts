// Connecting Klaviyo with a private API key (+ optional public key / site id): checked against Klaviyo
// first — an invalid key or one missing scopes is refused with what to fix and nothing is stored — then
// stored sealed like any credential.

import { sealedApiKeyColumns } from '@adsync/connections';
import { AppError } from '@adsync/errors';
import type { GatewayDeps } from '../gateway-deps.ts';
import { storeConnection } from './connection-store.ts';

const REFUSALS: Record<string, { code: string; status: number }> = {
  invalid_request: { code: 'invalid_klaviyo_key', status: 400 },
  invalid_grant: { code: 'invalid_klaviyo_key', status: 400 },
  permission_denied: { code: 'klaviyo_key_missing_scopes', status: 400 },
  not_found: { code: 'invalid_klaviyo_key', status: 400 },
  // The key works, but Klaviyo's answer is one adsync cannot store (e.g. the account's time zone).
  invalid_response: { code: 'klaviyo_answer_refused', status: 502 },
};

export async function connectKlaviyoKey(
  deps: GatewayDeps,
  input: { tenantId: string; privateKey: string; publicKey?: string },
) {
  const checked = await deps.providers.validateKlaviyoKey({
    privateKey: input.privateKey,
    ...(input.publicKey === undefined ? {} : { publicKey: input.publicKey }),
  });
  if (!checked.ok) {
    const refusal = REFUSALS[checked.error.code] ?? { code: 'klaviyo_unavailable', status: 503 };
    throw new AppError(refusal.code, `${checked.error.message} Nothing was stored.`, { status: refusal.status });
  }
  const privateKey = input.privateKey.trim();
  return storeConnection(deps, {
    tenantId: input.tenantId,
    provider: 'klaviyo',
    authMethod: 'api_key',
    credentials: (key) => ({
      ...sealedApiKeyColumns(deps.keyring, key, privateKey),
      public_key: checked.value.publicKey,
      external_user_id: checked.value.account.externalId,
      scopes: [],
    }),
    accounts: [checked.value.account],
    missingScopes: [],
  });
}
