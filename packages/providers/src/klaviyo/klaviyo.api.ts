// Reading Klaviyo's JSON:API (/api/*) with either credential: the auth, revision and Accept headers every
// call needs, and the account lookup that OAuth discovery and private-key validation share.

import { err, ok } from '@adsync/errors';
import { httpJson } from '../http.ts';
import type { DiscoveredAccount, ProviderResult } from '../provider.ts';
import type { KlaviyoSettings } from '../settings.ts';
import { unusableTimeZone } from '../time-zone.ts';
import { klaviyoApiError, schemaError } from './klaviyo.errors.ts';
import { accountsResponse } from './klaviyo.schemas.ts';

export type KlaviyoCredential =
  | { readonly kind: 'oauth'; readonly accessToken: string }
  | { readonly kind: 'private_key'; readonly key: string };

function authorization(credential: KlaviyoCredential): string {
  return credential.kind === 'oauth' ? `Bearer ${credential.accessToken}` : `Klaviyo-API-Key ${credential.key}`;
}

/** `{apiUrl}/{path}/` (Klaviyo's canonical trailing slash) with its query. */
export function apiUrl(settings: KlaviyoSettings, path: string, query: Record<string, string> = {}): string {
  const search = new URLSearchParams(query).toString();
  return `${settings.apiUrl}/${path}/${search === '' ? '' : `?${search}`}`;
}

/**
 * Calls a Klaviyo API URL with the revision every call must name; a body goes as JSON:API. `url` is built by
 * `apiUrl` or is a `links.next` Klaviyo gave, which `forEachPage` follows verbatim only once paging.ts has
 * checked it is on the API's own origin (the credential never goes elsewhere).
 */
export function apiRequest(
  settings: KlaviyoSettings,
  credential: KlaviyoCredential,
  request: { method: 'GET' | 'POST'; url: string; json?: unknown },
) {
  return httpJson({
    method: request.method,
    url: request.url,
    headers: {
      authorization: authorization(credential),
      revision: settings.revision,
      accept: 'application/vnd.api+json',
      ...(request.json === undefined ? {} : { 'content-type': 'application/vnd.api+json' }),
    },
    ...(request.json === undefined ? {} : { json: request.json }),
  });
}

/** GET a Klaviyo API URL (see apiRequest). */
export function apiGetUrl(settings: KlaviyoSettings, credential: KlaviyoCredential, url: string) {
  return apiRequest(settings, credential, { method: 'GET', url });
}

/** GET `{apiUrl}/{path}/` with the revision every call must name. */
export function apiGet(
  settings: KlaviyoSettings,
  credential: KlaviyoCredential,
  path: string,
  query: Record<string, string> = {},
) {
  return apiGetUrl(settings, credential, apiUrl(settings, path, query));
}

export interface KlaviyoAccount {
  account: DiscoveredAccount;
  /** The 6-character public key (site id) of /client/* calls. */
  publicKey: string;
}

/** The one account a credential reaches (providers.md §4.2, GET /api/accounts). */
export async function fetchAccount(
  settings: KlaviyoSettings,
  credential: KlaviyoCredential,
): Promise<ProviderResult<KlaviyoAccount>> {
  const response = await apiGet(settings, credential, 'accounts');
  if (!response.ok) return response;
  if (response.value.status !== 200) {
    return err(klaviyoApiError(response.value, 'read the account', credential.kind));
  }
  const parsed = accountsResponse.safeParse(response.value.body);
  if (!parsed.success) return err(schemaError('/api/accounts'));
  const found = parsed.data.data[0];
  if (found === undefined) {
    return err({ code: 'not_found', message: 'Klaviyo returned no account for this credential.', retryable: false });
  }
  const { attributes } = found;
  const account: DiscoveredAccount = {
    externalId: found.id,
    name: attributes.contact_information.organization_name || found.id,
    currency: attributes.preferred_currency,
    timezone: attributes.timezone,
    managerExternalId: null,
  };
  const refused = unusableTimeZone('Klaviyo', account);
  if (refused !== undefined) return err(refused);
  return ok({ account, publicKey: attributes.public_api_key });
}
