// Klaviyo: the last syncs (and syncing now), the lists and segments adsync knows, and which of the
// brand's products map to which Klaviyo catalog item.

import { useState } from 'preact/hooks';
import { apiRequest } from '../api.ts';
import { ErrorMessage, Loading, Notice } from '../components/messages.tsx';
import { formatDateTime, formatNumber } from '../format.ts';
import { Link } from '../router.tsx';
import type { CatalogItem, KlaviyoGroup, KlaviyoSync, ProductMapping } from '../types.ts';
import { useAction, useApi, usePolling } from '../use-api.ts';

const SYNC_WORDS: Record<string, string> = {
  running: 'Running',
  succeeded: 'Done',
  failed: 'Failed',
  skipped: 'Skipped',
  needs_reauth: 'Needs reconnection',
};

function countsText(counts: Record<string, number> | null): string {
  if (counts === null) return '';
  return Object.entries(counts)
    .map(([name, value]) => `${formatNumber(value)} ${name}`)
    .join(', ');
}

function SyncSection() {
  const syncs = useApi<{ syncs: KlaviyoSync[] }>('/v1/klaviyo/syncs?limit=10');
  usePolling(syncs.reload, 5_000);
  const action = useAction();
  const [queued, setQueued] = useState(false);
  return (
    <section aria-labelledby="syncs-title">
      <h2 id="syncs-title">Syncs</h2>
      <ErrorMessage>{syncs.error ?? action.error}</ErrorMessage>
      {action.error !== undefined && (
        <p>
          <Link href="/admin">Check the Klaviyo connection</Link>
        </p>
      )}
      {queued && <Notice tone="success">A sync of lists, segments and catalog is on its way.</Notice>}
      <button
        type="button"
        class="button button--primary"
        disabled={action.busy}
        onClick={async () => {
          setQueued(await action.run(() => apiRequest('POST', '/v1/klaviyo/sync', { scope: 'all' })));
          await syncs.reload();
        }}
      >
        Sync now
      </button>
      {syncs.data !== undefined && syncs.data.syncs.length > 0 && (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">What</th>
              <th scope="col">Status</th>
              <th scope="col">Found</th>
              <th scope="col">Started</th>
            </tr>
          </thead>
          <tbody>
            {syncs.data.syncs.map((sync) => (
              <tr key={sync.id}>
                <th scope="row">{sync.scope}</th>
                <td>
                  {SYNC_WORDS[sync.status] ?? sync.status}
                  {sync.error === undefined ? '' : `: ${sync.error.message ?? sync.error.code}`}
                </td>
                <td>{countsText(sync.counts)}</td>
                <td>{formatDateTime(sync.startedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function GroupsSection() {
  const lists = useApi<{ lists: KlaviyoGroup[] }>('/v1/klaviyo/lists');
  const segments = useApi<{ segments: KlaviyoGroup[] }>('/v1/klaviyo/segments');
  usePolling(lists.reload, 10_000);
  usePolling(segments.reload, 10_000);
  return (
    <section aria-labelledby="groups-title">
      <h2 id="groups-title">Lists and segments</h2>
      <ErrorMessage>{lists.error ?? segments.error}</ErrorMessage>
      {(lists.loading || segments.loading) && lists.data === undefined && <Loading what="lists" />}
      <div class="columns">
        <div>
          <h3>Lists</h3>
          {lists.data?.lists.length === 0 && <p class="muted">No lists synced yet.</p>}
          <ul>
            {lists.data?.lists.map((list) => (
              <li key={list.id}>{list.name}</li>
            ))}
          </ul>
        </div>
        <div>
          <h3>Segments</h3>
          {segments.data?.segments.length === 0 && <p class="muted">No segments synced yet.</p>}
          <ul>
            {segments.data?.segments.map((segment) => (
              <li key={segment.id}>
                {segment.name}{' '}
                <span class="muted">
                  {segment.memberCount === null || segment.memberCount === undefined
                    ? 'members not read yet'
                    : `${formatNumber(segment.memberCount)} members, read ${formatDateTime(segment.membersSyncedAt ?? null)}`}
                </span>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </section>
  );
}

function MappingsSection() {
  const mappings = useApi<{ productMappings: ProductMapping[] }>('/v1/klaviyo/product-mappings?limit=200');
  const unmapped = useApi<{ catalogItems: CatalogItem[] }>('/v1/klaviyo/catalog-items?unmapped=true&limit=200');
  const items = useApi<{ catalogItems: CatalogItem[] }>('/v1/klaviyo/catalog-items?limit=200');
  const [productRef, setProductRef] = useState('');
  const [itemId, setItemId] = useState('');
  const action = useAction();
  const reload = async () => {
    await Promise.all([mappings.reload(), unmapped.reload()]);
  };
  return (
    <section aria-labelledby="mappings-title">
      <h2 id="mappings-title">Product mappings</h2>
      <p class="muted">Which Klaviyo catalog item each of your products (SKU or id) is.</p>
      <ErrorMessage>{mappings.error ?? action.error}</ErrorMessage>
      <form
        class="inline-form"
        onSubmit={async (event) => {
          event.preventDefault();
          const ok = await action.run(() =>
            apiRequest('PUT', `/v1/klaviyo/product-mappings/${encodeURIComponent(productRef.trim())}`, {
              catalogItemId: itemId,
            }),
          );
          if (ok) {
            setProductRef('');
            setItemId('');
            await reload();
          }
        }}
      >
        <label for="product-ref">Your product</label>
        <input
          id="product-ref"
          required
          value={productRef}
          onInput={(event) => setProductRef(event.currentTarget.value)}
        />
        <label for="catalog-item">Klaviyo catalog item</label>
        <select id="catalog-item" required value={itemId} onChange={(event) => setItemId(event.currentTarget.value)}>
          <option value="">Choose an item…</option>
          {items.data?.catalogItems.map((item) => (
            <option key={item.id} value={item.id}>
              {item.title} ({item.externalId})
            </option>
          ))}
        </select>
        <button type="submit" class="button button--primary" disabled={action.busy}>
          Map product
        </button>
      </form>
      {mappings.data !== undefined && mappings.data.productMappings.length > 0 && (
        <table class="table" data-testid="mappings">
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">Catalog item</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {mappings.data.productMappings.map((mapping) => (
              <tr key={mapping.productRef}>
                <th scope="row">{mapping.productRef}</th>
                <td>
                  {mapping.catalogItem === null
                    ? 'The item is gone from Klaviyo’s catalog: map this product again.'
                    : `${mapping.catalogItem.title} (${mapping.catalogItem.externalId})`}
                </td>
                <td>
                  <button
                    type="button"
                    class="button button--link"
                    onClick={() =>
                      action.run(async () => {
                        await apiRequest(
                          'DELETE',
                          `/v1/klaviyo/product-mappings/${encodeURIComponent(mapping.productRef)}`,
                        );
                        await reload();
                      })
                    }
                  >
                    Remove mapping of {mapping.productRef}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {unmapped.data !== undefined && (
        <p class="muted">
          {formatNumber(unmapped.data.catalogItems.length)} catalog item(s) have no product mapped to them.
        </p>
      )}
    </section>
  );
}

export function KlaviyoPage() {
  const syncs = useApi<{ syncs: KlaviyoSync[] }>('/v1/klaviyo/syncs?limit=1');
  const notConnected = syncs.data !== undefined && syncs.data.syncs.length === 0;
  return (
    <>
      <h1>Klaviyo</h1>
      {notConnected && (
        <Notice>
          Nothing synced from Klaviyo yet. <Link href="/admin">Connect Klaviyo</Link> on Integrations; the first sync
          starts at once.
        </Notice>
      )}
      <SyncSection />
      <GroupsSection />
      <MappingsSection />
    </>
  );
}
