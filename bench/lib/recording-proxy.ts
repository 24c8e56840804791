// A pass-through HTTP proxy in front of the simulator that records what each platform saw and said: when
// every request arrived, and whether the answer was a throttle. The simulator's own request counts cannot
// tell a throttle apart for Meta (HTTP 400 with a throttling code) or TikTok (HTTP 200 with code 40100).

import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

export interface ProxiedRequest {
  /** The first path segment: `meta`, `google`, `tiktok` or `klaviyo`. */
  platform: string;
  /** Date.now() when the request reached the proxy. */
  at: number;
  status: number;
  throttled: boolean;
}

export interface RecordingProxy {
  url: string;
  /** Every request so far, in the order they arrived. */
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

/** Meta's throttling codes (providers.md §1.5): 4 the app, 17/32/613 and 80000–80014 the user, page or ad account. */
function isMetaThrottle(code: unknown): boolean {
  return typeof code === 'number' && ([4, 17, 32, 613].includes(code) || (code >= 80000 && code <= 80014));
}

/** TikTok's QPS codes (providers.md §3.3/§3.4), sent in the envelope of an HTTP 200. */
const TIKTOK_THROTTLE_CODES = new Set([40016, 40100, 40132, 40133]);

function isThrottle(platform: string, status: number, body: Buffer): boolean {
  // Google (RESOURCE_EXHAUSTED) and Klaviyo say so with the status itself.
  if (status === 429) return true;
  if (platform !== 'meta' && platform !== 'tiktok') return false;
  if (platform === 'meta' && status < 400) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return false;
  }
  if (platform === 'meta') return isMetaThrottle((parsed as { error?: { code?: unknown } })?.error?.code);
  return TIKTOK_THROTTLE_CODES.has((parsed as { code?: unknown })?.code as number);
}

// Hop-by-hop headers, and the length, which the proxy sets for the body it sends on. `host` goes through:
// the simulator writes next-page links on the host it was asked on, and clients follow only their own host.
const DROPPED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

function forwardable(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>) {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !DROPPED.has(name.toLowerCase())) kept[name] = value;
  }
  return kept;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const pool = new Pool(target, { connections: 64 });
  const requests: ProxiedRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = incoming.url ?? '/';
      const platform = path.split('/')[1] ?? '';
      pool
        .request({
          method: (incoming.method ?? 'GET') as 'GET',
          path,
          headers: forwardable(incoming.headers),
          body: body.length === 0 ? null : body,
        })
        .then(async (answer) => {
          const answerBody = Buffer.from(await answer.body.arrayBuffer());
          requests.push({
            platform,
            at,
            status: answer.statusCode,
            throttled: isThrottle(platform, answer.statusCode, answerBody),
          });
          const headers: OutgoingHttpHeaders = { ...forwardable(answer.headers), 'content-length': answerBody.length };
          outgoing.writeHead(answer.statusCode, headers);
          outgoing.end(answerBody);
        })
        .catch((error: unknown) => {
          outgoing.writeHead(502, { 'content-type': 'text/plain' });
          outgoing.end(`recording proxy: ${error instanceof Error ? error.message : String(error)}`);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close();
    },
  };
}
