// Connecting Klaviyo with a private API key instead of OAuth: checks the key reaches an account, that the
// public key the admin gave belongs to it, and that the key carries every read scope adsync needs.

import { err, ok } from '@adsync/errors';
import type { DiscoveredAccount, ProviderResult } from '../provider.ts';
import type { KlaviyoSettings } from '../settings.ts';
import { apiGet, fetchAccount, type KlaviyoCredential } from './klaviyo.api.ts';
import { klaviyoApiError } from './klaviyo.errors.ts';
import { resourceIds } from './klaviyo.schemas.ts';

/** In the order the missing-scope message lists them. */
const READ_SCOPES = ['accounts:read', 'lists:read', 'segments:read', 'profiles:read', 'catalogs:read'] as const;
type ReadScope = (typeof READ_SCOPES)[number];

interface Probe {
  granted: boolean;
  /** The first object the probe listed, for probes that need an id. */
  firstId?: string;
}

/** One cheap read; 403 means the key lacks the scope (providers.md §4.3), anything else but 200 is an error. */
async function probe(
  settings: KlaviyoSettings,
  credential: KlaviyoCredential,
  scope: ReadScope,
  path: string,
  query: Record<string, string>,
): Promise<ProviderResult<Probe>> {
  const response = await apiGet(settings, credential, path, query);
  if (!response.ok) return response;
  if (response.value.status === 403) return ok({ granted: false });
  if (response.value.status !== 200) {
    return err(klaviyoApiError(response.value, `check the key's ${scope} access`, 'private_key'));
  }
  const parsed = resourceIds.safeParse(response.value.body);
  const firstId = parsed.success ? parsed.data.data[0]?.id : undefined;
  return ok(firstId === undefined ? { granted: true } : { granted: true, firstId });
}

/**
 * profiles:read has no endpoint of its own among those Klaviyo documents for us (§4.2): a list's or
 * segment's profile ids also need lists:read / segments:read, so it is probed through whichever of those
 * the key has, on an object that exists. With neither (or an account with no lists and no segments) it
 * cannot be told apart and is not reported; the key already fails for the others.
 */
async function probeProfiles(
  settings: KlaviyoSettings,
  credential: KlaviyoCredential,
  lists: Probe,
  segments: Probe,
): Promise<ProviderResult<Probe>> {
  const via =
    lists.firstId !== undefined
      ? `lists/${encodeURIComponent(lists.firstId)}`
      : segments.firstId !== undefined
        ? `segments/${encodeURIComponent(segments.firstId)}`
        : undefined;
  if (via === undefined) return ok({ granted: true });
  return probe(settings, credential, 'profiles:read', `${via}/relationships/profiles`, { 'page[size]': '1' });
}

export async function validateKlaviyoPrivateKey(
  settings: KlaviyoSettings,
  input: { privateKey: string; publicKey?: string },
): Promise<ProviderResult<{ account: DiscoveredAccount; publicKey: string }>> {
  const key = input.privateKey.trim();
  if (!key.startsWith('pk_')) {
    return err({
      code: 'invalid_request',
      message: 'A Klaviyo private API key starts with "pk_"; copy it from Settings → API keys in Klaviyo.',
      retryable: false,
    });
  }
  const credential: KlaviyoCredential = { kind: 'private_key', key };

  const found = await fetchAccount(settings, credential);
  if (!found.ok && found.error.code !== 'permission_denied') return found;
  const publicKey = input.publicKey?.trim();
  if (found.ok && publicKey !== undefined && publicKey !== '' && publicKey !== found.value.publicKey) {
    return err({
      code: 'invalid_request',
      message: `The public key does not belong to this account (${found.value.account.name}); copy the public key (site ID) from the same Klaviyo account.`,
      retryable: false,
    });
  }

  const [lists, segments, catalogs] = await Promise.all([
    probe(settings, credential, 'lists:read', 'lists', { 'page[size]': '1' }),
    probe(settings, credential, 'segments:read', 'segments', { 'page[size]': '1' }),
    probe(settings, credential, 'catalogs:read', 'catalog-items', { 'fields[catalog-item]': 'external_id' }),
  ]);
  if (!lists.ok) return lists;
  if (!segments.ok) return segments;
  if (!catalogs.ok) return catalogs;
  const profiles = await probeProfiles(settings, credential, lists.value, segments.value);
  if (!profiles.ok) return profiles;
  const granted: Record<ReadScope, boolean> = {
    'accounts:read': found.ok,
    'lists:read': lists.value.granted,
    'segments:read': segments.value.granted,
    'profiles:read': profiles.value.granted,
    'catalogs:read': catalogs.value.granted,
  };

  // Write scopes (lists:write, profiles:write, subscriptions:write, catalogs:write) cannot be probed without
  // writing to the brand's account; a key without them fails later, on the first write.
  const missing = READ_SCOPES.filter((scope) => !granted[scope]);
  if (!found.ok || missing.length > 0) {
    return err({
      code: 'permission_denied',
      message: `The key lacks ${missing.join(', ')}; create a private key with ${settings.scopes.join(', ')}.`,
      retryable: false,
      platformCode: 'permission_denied',
    });
  }
  return ok(found.value);
}
