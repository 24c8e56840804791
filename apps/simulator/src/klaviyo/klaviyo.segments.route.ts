// Segments: GET /api/segments (≤10 per page), GET /api/segments/{id}, and a segment's profiles (full,
// or ids only under /relationships/profiles). Membership changes come from the segment-add/remove actions.

import type { ApiDeps, ApiRouter } from './klaviyo.api.route.ts';
import { allowParams, notFound, pageSize, paginate, timeKey } from './klaviyo.json-api.ts';
import { memberPage } from './klaviyo.members.ts';
import { segmentResource } from './klaviyo.resources.ts';
import type { Group } from './klaviyo.state.ts';

export function segmentRoutes(router: ApiRouter, { state }: ApiDeps): void {
  const findSegment = (id: string): Group => {
    const segment = state.segments.get(id);
    if (segment === undefined) throw notFound(`A segment with id ${id} does not exist.`);
    return segment;
  };

  router.get('/segments', { tier: 'L', scopes: ['segments:read'] }, async (request) => {
    allowParams(request, ['page[cursor]', 'page[size]', 'fields[segment]']);
    const keyOf = (segment: Group) => timeKey(segment.created, segment.id);
    const segments = [...state.segments.values()].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
    const page = paginate(request, segments, keyOf, { size: pageSize(request, 10, 10) });
    return { data: page.items.map((segment) => segmentResource(request, segment)), links: page.links };
  });

  router.get('/segments/:id', { tier: 'L', scopes: ['segments:read'] }, async (request) => {
    allowParams(request, ['fields[segment]']);
    return { data: segmentResource(request, findSegment((request.params as { id: string }).id)) };
  });

  const memberSpec = { tier: 'L', scopes: ['profiles:read', 'segments:read'] } as const;
  router.get('/segments/:id/profiles', memberSpec, async (request) =>
    memberPage(request, state, findSegment((request.params as { id: string }).id), false),
  );
  router.get('/segments/:id/relationships/profiles', memberSpec, async (request) =>
    memberPage(request, state, findSegment((request.params as { id: string }).id), true),
  );
}
