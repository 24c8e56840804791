// A local HTTP server standing in for a host that a platform's answer points at (an off-origin next-page
// link): it answers every request like a page with nothing more to follow and keeps what it was sent, so a
// test can assert that nothing, and no credential, ever reached it.

import { once } from 'node:events';
import { createServer } from 'node:http';

export interface TrappedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface RequestTrap {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly requests: readonly TrappedRequest[];
  close(): Promise<void>;
}

export async function startRequestTrap(): Promise<RequestTrap> {
  const requests: TrappedRequest[] = [];
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
