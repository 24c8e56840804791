// Small helpers over the service URLs. Anything printed goes through `describeServer`, which leaves
// credentials out.

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** True when a server for this host would run on this machine, so the launcher may start one. */
export function isLocalHost(host: string): boolean {
  return LOCAL_HOSTS.has(host);
}

export function portOf(url: URL, defaultPort: number): number {
  return url.port === '' ? defaultPort : Number(url.port);
}

/** `host:port`, or `host:port/path` when `withPath`; never user or password. */
export function describeServer(raw: string, defaultPort: number, withPath = false): string {
  const url = new URL(raw);
  const path = withPath && url.pathname.length > 1 ? url.pathname : '';
  return `${url.hostname}:${portOf(url, defaultPort)}${path}`;
}

export function databaseNameOf(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
}

export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** A host to connect to for a server listening on `host`: a wildcard address means this machine. */
export function connectableHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}
