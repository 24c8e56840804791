// Klaviyo catalogs: the catalog items of each Klaviyo connection as last synced, and the brand's product
// mappings (its SKU or external id → a Klaviyo catalog item). Frozen: change the schema in a new migration.

import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE klaviyo_catalog_items (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
      -- Klaviyo's id, e.g. $custom:::$default:::SKU-1, and the brand's own id for the product in Klaviyo.
      item_id text NOT NULL,
      external_id text NOT NULL,
      title text NOT NULL,
      url text NOT NULL,
      price numeric(14, 4),
      published boolean NOT NULL,
      klaviyo_updated_at timestamptz NOT NULL,
      seen_at timestamptz NOT NULL,
      removed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (connection_id, item_id)
    )`.execute(db);
  await sql`
    CREATE INDEX klaviyo_catalog_items_external_idx ON klaviyo_catalog_items (tenant_id, external_id)`.execute(db);

  await sql`
    CREATE TABLE klaviyo_product_mappings (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
      -- The brand's product: its SKU or external id, as its store knows it.
      product_ref text NOT NULL,
      -- The Klaviyo catalog item it maps to (Klaviyo's id).
      item_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (connection_id, product_ref)
    )`.execute(db);
  await sql`
    CREATE INDEX klaviyo_product_mappings_item_idx ON klaviyo_product_mappings (connection_id, item_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS klaviyo_product_mappings`.execute(db);
  await sql`DROP TABLE IF EXISTS klaviyo_catalog_items`.execute(db);
}
