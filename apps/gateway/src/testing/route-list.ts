// The routes a built gateway answers, read from Fastify's own route tree, so a test that must cover every
// route (the tenant-isolation matrix) learns of a new one without anybody updating a list by hand.

import type { FastifyInstance } from 'fastify';

/** "METHOD /path/:param", e.g. "GET /v1/connections/:id". */
export type RouteKey = `${string} /${string}`;

/**
 * Every method and path of the app. HEAD is left out: Fastify adds it to every GET route, and it runs the
 * GET handler.
 */
export function listRoutes(app: FastifyInstance): RouteKey[] {
  // printRoutes draws the router's radix tree: each line is one node, indented four characters per level,
  // and a node's path continues its parent's ("/v1/klaviyo/list" → "s" is /v1/klaviyo/lists). (Without the
  // common prefixes, the drawing leaves out handler-less nodes above wildcards, and with them whole routes.)
  const tree = app.printRoutes();
  const pathAt: string[] = [];
  const routes = new Set<RouteKey>();
  for (const line of tree.split('\n')) {
    const node = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (node === null) continue;
    const depth = (node[1] ?? '').length / 4;
    const path = (depth === 0 ? '' : (pathAt[depth - 1] ?? '')) + (node[2] ?? '');
    pathAt.length = depth;
    pathAt[depth] = path;
    for (const method of (node[3] ?? '').split(',')) {
      const name = method.trim();
      if (name !== '' && name !== 'HEAD') routes.add(`${name} ${path}` as RouteKey);
    }
  }
  if (routes.size === 0) throw new Error(`no route read from Fastify's route tree:\n${tree}`);
  // Every route read must be one the app has: a change in how the tree is drawn fails here, loudly.
  for (const route of routes) {
    const [method = '', url = ''] = route.split(' ');
    if (!app.hasRoute({ method: method as 'GET', url })) {
      throw new Error(`read "${route}" from the route tree, but the app has no such route:\n${tree}`);
    }
  }
  return [...routes].sort();
}
