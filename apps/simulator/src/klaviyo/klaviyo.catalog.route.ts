// Catalog items: GET /api/catalog-items (100 per page, cursor only) and POST /api/catalog-items
// (201; the id is `$custom:::$default:::<external_id>`, so the same external id twice is a 409).

import { z } from 'zod';
import type { ApiDeps, ApiRouter } from './klaviyo.api.route.ts';
import { allowParams, invalid, KlaviyoApiError, paginate, pointerOf, queryParam, timeKey } from './klaviyo.json-api.ts';
import { catalogItemResource } from './klaviyo.resources.ts';
import { type CatalogItem, catalogItemId } from './klaviyo.state.ts';

const createItemBody = z.object({
  data: z.object({
    type: z.literal('catalog-item'),
    attributes: z.object({
      external_id: z.string().min(1),
      integration_type: z.literal('$custom').default('$custom'),
      catalog_type: z.literal('$default').default('$default'),
      title: z.string().min(1),
      description: z.string(),
      url: z.string().min(1),
      price: z.number().nullable().optional(),
      image_full_url: z.string().nullable().optional(),
      image_thumbnail_url: z.string().nullable().optional(),
      images: z.array(z.string()).optional(),
      custom_metadata: z.record(z.string(), z.unknown()).optional(),
      published: z.boolean().default(true),
    }),
    relationships: z.record(z.string(), z.unknown()).optional(),
  }),
});

export function catalogRoutes(router: ApiRouter, { state, context }: ApiDeps): void {
  router.get('/catalog-items', { tier: 'XL', scopes: ['catalogs:read'] }, async (request) => {
    allowParams(request, ['page[cursor]', 'sort', 'fields[catalog-item]']);
    const sort = queryParam(request, 'sort') ?? 'created';
    if (sort !== 'created' && sort !== '-created') {
      throw invalid(`'${sort}' is not a valid sort for catalog items.`, { parameter: 'sort' });
    }
    const descending = sort === '-created';
    const keyOf = (item: CatalogItem) => timeKey(item.created, item.id);
    const items = [...state.catalogItems.values()].sort(
      (a, b) => (keyOf(a) < keyOf(b) ? -1 : 1) * (descending ? -1 : 1),
    );
    const page = paginate(request, items, keyOf, { size: 100, descending });
    return { data: page.items.map((item) => catalogItemResource(request, item)), links: page.links };
  });

  router.post('/catalog-items', { tier: 'L', scopes: ['catalogs:write'] }, async (request, reply) => {
    const parsed = createItemBody.safeParse(request.body);
    if (!parsed.success) {
      throw invalid(`Invalid catalog item: ${parsed.error.issues[0]?.message ?? 'bad body'}.`, {
        pointer: pointerOf(parsed.error),
      });
    }
    const attributes = parsed.data.data.attributes;
    const id = catalogItemId(attributes.external_id);
    // The 409 code string is unverified (providers.md §4.3 lists codes only partly); `conflict` matches
    // the HTTP meaning and Klaviyo's naming style.
    if (state.catalogItems.has(id)) {
      throw new KlaviyoApiError(409, 'conflict', 'Conflict.', `A catalog item with id ${id} already exists.`, {
        source: { pointer: '/data/attributes/external_id' },
      });
    }
    const now = context.clock.now();
    const item: CatalogItem = {
      id,
      externalId: attributes.external_id,
      title: attributes.title,
      description: attributes.description,
      url: attributes.url,
      price: attributes.price ?? null,
      imageFullUrl: attributes.image_full_url ?? null,
      imageThumbnailUrl: attributes.image_thumbnail_url ?? null,
      images: attributes.images ?? [],
      customMetadata: attributes.custom_metadata ?? {},
      published: attributes.published,
      created: now,
      updated: now,
    };
    state.catalogItems.set(id, item);
    return reply.status(201).send({ data: catalogItemResource(request, item) });
  });
}
