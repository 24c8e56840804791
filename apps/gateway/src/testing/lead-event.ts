// A small valid conversion event in adsync's neutral schema, as a storefront posts it to POST /v1/events:
// a Lead a minute old, with the one piece of user data it needs. `extra` overrides or adds fields.

export function leadEvent(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: 'Lead',
    time: Math.floor(Date.now() / 1000) - 60,
    actionSource: 'system_generated',
    user: { email: `${id}@example.com` },
    ...extra,
  };
}
