// The profiles of a list or segment as Klaviyo pages them: full profiles or ids only, page[size] 20 by
// default and at most 100, `joined_group_at` filters and sort.

import type { FastifyRequest } from 'fastify';
import { matches, parseFilter } from './klaviyo.filter.ts';
import { allowParams, invalid, pageSize, paginate, queryParam, timeKey } from './klaviyo.json-api.ts';
import { memberResource } from './klaviyo.resources.ts';
import type { Group, KlaviyoState } from './klaviyo.state.ts';

const MEMBER_FILTERS = {
  email: ['equals', 'any'],
  phone_number: ['equals', 'any'],
  joined_group_at: ['greater-than', 'greater-or-equal', 'less-than', 'less-or-equal'],
} as const;

export function memberPage(request: FastifyRequest, state: KlaviyoState, group: Group, idsOnly: boolean) {
  allowParams(
    request,
    idsOnly
      ? ['filter', 'page[cursor]', 'page[size]', 'sort']
      : ['filter', 'page[cursor]', 'page[size]', 'sort', 'fields[profile]', 'additional-fields[profile]'],
  );
  const conditions = parseFilter(queryParam(request, 'filter'), MEMBER_FILTERS);
  const sort = queryParam(request, 'sort') ?? 'joined_group_at';
  if (sort !== 'joined_group_at' && sort !== '-joined_group_at') {
    throw invalid(`'${sort}' is not a valid sort for this endpoint.`, { parameter: 'sort' });
  }
  const size = pageSize(request, 20, 100);
  const members = [];
  for (const [profileId, joinedAt] of group.members) {
    const profile = state.profiles.get(profileId);
    if (profile === undefined) continue;
    const fields = { email: profile.email, phone_number: profile.phoneNumber, joined_group_at: joinedAt };
    if (matches(conditions, fields)) members.push({ profile, joinedAt, key: timeKey(joinedAt, profile.id) });
  }
  const descending = sort.startsWith('-');
  members.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) * (descending ? -1 : 1));
  const page = paginate(request, members, (member) => member.key, { size, descending });
  const data = page.items.map((member) =>
    idsOnly ? { type: 'profile', id: member.profile.id } : memberResource(request, member.profile, member.joinedAt),
  );
  return { data, links: page.links };
}
