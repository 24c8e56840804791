// Klaviyo catalogs as adsync keeps them: each connection's catalog items as last synced, and the brand's
// product mappings (its SKU or external id → a Klaviyo catalog item).

import { sql } from 'kysely';
import type { Db } from '../create-database.ts';
import type { KlaviyoCatalogItem, KlaviyoProductMapping } from '../schema.ts';

/** Rows per INSERT statement when a catalog is recorded. */
const BATCH = 500;

export interface SeenCatalogItem {
  itemId: string;
  externalId: string;
  title: string;
  url: string;
  price: number | null;
  published: boolean;
  updatedAt: Date;
}

/**
 * Records the catalog items a sync found: new ones added, known ones updated (and brought back if removed),
 * those no longer in Klaviyo marked removed. Returns how many are live.
 */
export async function recordCatalogItems(
  db: Db,
  found: { tenantId: string; connectionId: string; items: readonly SeenCatalogItem[]; at: Date },
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    for (let start = 0; start < found.items.length; start += BATCH) {
      await trx
        .insertInto('klaviyo_catalog_items')
        .values(
          found.items.slice(start, start + BATCH).map((item) => ({
            tenant_id: found.tenantId,
            connection_id: found.connectionId,
            item_id: item.itemId,
            external_id: item.externalId,
            title: item.title,
            url: item.url,
            price: item.price,
            published: item.published,
            klaviyo_updated_at: item.updatedAt,
            seen_at: found.at,
            removed_at: null,
          })),
        )
        .onConflict((conflict) =>
          conflict.columns(['connection_id', 'item_id']).doUpdateSet((excluded) => ({
            external_id: excluded.ref('excluded.external_id'),
            title: excluded.ref('excluded.title'),
            url: excluded.ref('excluded.url'),
            price: excluded.ref('excluded.price'),
            published: excluded.ref('excluded.published'),
            klaviyo_updated_at: excluded.ref('excluded.klaviyo_updated_at'),
            seen_at: excluded.ref('excluded.seen_at'),
            removed_at: null,
            updated_at: sql<Date>`now()`,
          })),
        )
        .execute();
    }
    await trx
      .updateTable('klaviyo_catalog_items')
      .set({ removed_at: found.at, updated_at: sql<Date>`now()` })
      .where('connection_id', '=', found.connectionId)
      .where('seen_at', '<', found.at)
      .where('removed_at', 'is', null)
      .execute();
    const live = await trx
      .selectFrom('klaviyo_catalog_items')
      .select(trx.fn.countAll<string>().as('count'))
      .where('connection_id', '=', found.connectionId)
      .where('removed_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(live.count);
  });
}

export type CatalogItemWithMappings = KlaviyoCatalogItem & { product_refs: string[] };

/** A tenant's live catalog items in Klaviyo id order after `afterItemId`, each with the products mapped to it. */
export async function listCatalogItems(
  db: Db,
  filter: { tenantId: string; unmappedOnly?: boolean; afterItemId?: string; limit: number },
): Promise<CatalogItemWithMappings[]> {
  let query = db
    .selectFrom('klaviyo_catalog_items as item')
    .selectAll('item')
    .select((eb) =>
      eb
        .selectFrom('klaviyo_product_mappings as mapping')
        .select(sql<string[]>`coalesce(array_agg(mapping.product_ref ORDER BY mapping.product_ref), '{}')`.as('refs'))
        .whereRef('mapping.connection_id', '=', 'item.connection_id')
        .whereRef('mapping.item_id', '=', 'item.item_id')
        .as('product_refs'),
    )
    .where('item.tenant_id', '=', filter.tenantId)
    .where('item.removed_at', 'is', null);
  if (filter.unmappedOnly === true) {
    query = query.where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('klaviyo_product_mappings as mapping')
            .select('mapping.id')
            .whereRef('mapping.connection_id', '=', 'item.connection_id')
            .whereRef('mapping.item_id', '=', 'item.item_id'),
        ),
      ),
    );
  }
  if (filter.afterItemId !== undefined) query = query.where('item.item_id', '>', filter.afterItemId);
  const rows = await query.orderBy('item.item_id').limit(filter.limit).execute();
  return rows.map((row) => ({ ...row, product_refs: row.product_refs ?? [] }));
}

/** A live catalog item of the tenant's connection, by Klaviyo id. */
export async function findCatalogItem(
  db: Db,
  key: { tenantId: string; connectionId: string; itemId: string },
): Promise<KlaviyoCatalogItem | undefined> {
  return db
    .selectFrom('klaviyo_catalog_items')
    .selectAll()
    .where('tenant_id', '=', key.tenantId)
    .where('connection_id', '=', key.connectionId)
    .where('item_id', '=', key.itemId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
}

/** Maps a product to a catalog item (replacing its earlier mapping); returns the mapping. */
export async function setProductMapping(
  db: Db,
  mapping: { tenantId: string; connectionId: string; productRef: string; itemId: string },
): Promise<KlaviyoProductMapping> {
  return db
    .insertInto('klaviyo_product_mappings')
    .values({
      tenant_id: mapping.tenantId,
      connection_id: mapping.connectionId,
      product_ref: mapping.productRef,
      item_id: mapping.itemId,
    })
    .onConflict((conflict) =>
      conflict
        .columns(['connection_id', 'product_ref'])
        .doUpdateSet({ item_id: mapping.itemId, updated_at: sql<Date>`now()` }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export type MappingWithItem = KlaviyoProductMapping & {
  title: string | null;
  external_id: string | null;
  /** False when the catalog item is no longer in Klaviyo (or was never synced). */
  item_live: boolean;
};

/** A tenant's product mappings in product order after `afterRef`, with the catalog item each maps to. */
export async function listProductMappings(
  db: Db,
  filter: { tenantId: string; afterRef?: string; limit: number },
): Promise<MappingWithItem[]> {
  let query = db
    .selectFrom('klaviyo_product_mappings as mapping')
    .leftJoin('klaviyo_catalog_items as item', (join) =>
      join.onRef('item.connection_id', '=', 'mapping.connection_id').onRef('item.item_id', '=', 'mapping.item_id'),
    )
    .selectAll('mapping')
    .select([
      'item.title',
      'item.external_id',
      sql<boolean>`item.id IS NOT NULL AND item.removed_at IS NULL`.as('item_live'),
    ])
    .where('mapping.tenant_id', '=', filter.tenantId);
  if (filter.afterRef !== undefined) query = query.where('mapping.product_ref', '>', filter.afterRef);
  return query.orderBy('mapping.product_ref').limit(filter.limit).execute();
}

/** Removes a product's mapping; false when it had none. */
export async function deleteProductMapping(db: Db, key: { tenantId: string; productRef: string }): Promise<boolean> {
  const deleted = await db
    .deleteFrom('klaviyo_product_mappings')
    .where('tenant_id', '=', key.tenantId)
    .where('product_ref', '=', key.productRef)
    .executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}

/**
 * Of the given products, those without a mapping, each with the live catalog item whose external id equals
 * the product's, when there is one (the likely mapping).
 */
export async function unmappedProducts(
  db: Db,
  query: { tenantId: string; connectionId: string; productRefs: readonly string[] },
): Promise<{ productRef: string; suggestedItemId: string | null }[]> {
  if (query.productRefs.length === 0) return [];
  const mapped = await db
    .selectFrom('klaviyo_product_mappings')
    .select('product_ref')
    .where('connection_id', '=', query.connectionId)
    .where('product_ref', 'in', [...query.productRefs])
    .execute();
  const mappedRefs = new Set(mapped.map((row) => row.product_ref));
  const unmapped = [...new Set(query.productRefs)].filter((ref) => !mappedRefs.has(ref));
  if (unmapped.length === 0) return [];
  const matches = await db
    .selectFrom('klaviyo_catalog_items')
    .select(['external_id', 'item_id'])
    .where('connection_id', '=', query.connectionId)
    .where('removed_at', 'is', null)
    .where('external_id', 'in', unmapped)
    .orderBy('item_id')
    .execute();
  const byExternalId = new Map<string, string>();
  for (const match of matches)
    if (!byExternalId.has(match.external_id)) byExternalId.set(match.external_id, match.item_id);
  return unmapped.map((productRef) => ({ productRef, suggestedItemId: byExternalId.get(productRef) ?? null }));
}
