// Lists: GET /api/lists (≤10 per page), POST /api/lists, GET /api/lists/{id}, and a list's profiles
// (full, or ids only under /relationships/profiles).

import { z } from 'zod';
import type { ApiDeps, ApiRouter } from './klaviyo.api.route.ts';
import { matches, parseFilter } from './klaviyo.filter.ts';
import {
  allowParams,
  invalid,
  notFound,
  pageSize,
  paginate,
  pointerOf,
  queryParam,
  timeKey,
} from './klaviyo.json-api.ts';
import { memberPage } from './klaviyo.members.ts';
import { listResource } from './klaviyo.resources.ts';
import { type Group, randomShortId } from './klaviyo.state.ts';

const LIST_FILTERS = {
  name: ['equals', 'any'],
  id: ['equals', 'any'],
  created: ['greater-than'],
  updated: ['greater-than'],
} as const;

const LIST_SORTS = ['created', '-created', 'id', '-id', 'name', '-name', 'updated', '-updated'];

const createListBody = z.object({
  data: z.object({
    type: z.literal('list'),
    attributes: z.object({ name: z.string().trim().min(1) }),
  }),
});

export function listRoutes(router: ApiRouter, { state, context }: ApiDeps): void {
  const findList = (id: string): Group => {
    const list = state.lists.get(id);
    if (list === undefined) throw notFound(`A list with id ${id} does not exist.`);
    return list;
  };

  router.get('/lists', { tier: 'L', scopes: ['lists:read'] }, async (request) => {
    allowParams(request, ['filter', 'page[cursor]', 'page[size]', 'sort', 'fields[list]']);
    const conditions = parseFilter(queryParam(request, 'filter'), LIST_FILTERS);
    const sort = queryParam(request, 'sort') ?? 'created';
    if (!LIST_SORTS.includes(sort)) throw invalid(`'${sort}' is not a valid sort for lists.`, { parameter: 'sort' });
    const field = sort.replace(/^-/, '') as 'created' | 'id' | 'name' | 'updated';
    const keyOf = (list: Group) =>
      field === 'created' || field === 'updated' ? timeKey(list[field], list.id) : `${list[field]}|${list.id}`;
    const descending = sort.startsWith('-');
    const lists = [...state.lists.values()]
      .filter((list) =>
        matches(conditions, { name: list.name, id: list.id, created: list.created, updated: list.updated }),
      )
      .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0) * (descending ? -1 : 1));
    const page = paginate(request, lists, keyOf, { size: pageSize(request, 10, 10), descending });
    return { data: page.items.map((list) => listResource(request, list)), links: page.links };
  });

  router.post('/lists', { tier: 'M', scopes: ['lists:write'] }, async (request, reply) => {
    const parsed = createListBody.safeParse(request.body);
    if (!parsed.success) {
      throw invalid(`Invalid list: ${parsed.error.issues[0]?.message ?? 'bad body'}.`, {
        pointer: pointerOf(parsed.error),
      });
    }
    const now = context.clock.now();
    const list: Group = {
      id: randomShortId(),
      name: parsed.data.data.attributes.name,
      created: now,
      updated: now,
      members: new Map(),
    };
    state.lists.set(list.id, list);
    return reply.status(201).send({ data: listResource(request, list) });
  });

  router.get('/lists/:id', { tier: 'L', scopes: ['lists:read'] }, async (request) => {
    allowParams(request, ['fields[list]']);
    return { data: listResource(request, findList((request.params as { id: string }).id)) };
  });

  const memberSpec = { tier: 'L', scopes: ['lists:read', 'profiles:read'] } as const;
  router.get('/lists/:id/profiles', memberSpec, async (request) =>
    memberPage(request, state, findList((request.params as { id: string }).id), false),
  );
  router.get('/lists/:id/relationships/profiles', memberSpec, async (request) =>
    memberPage(request, state, findList((request.params as { id: string }).id), true),
  );
}
