import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED, redactSecrets, redactSecretsInText } from './index.ts';

function captureLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ name: 'test', level: 'trace', format: 'json', destination });
  return { logger, lines };
}

describe('createLogger', () => {
  it('redacts secrets and PII at the top level and nested up to four levels deep', () => {
    const { logger, lines } = captureLogger();
    const secrets = ['tok-top-1', 'tok-nested-2', 'tok-deep-3', 'tok-deeper-4', 'pw-5', 'cs-6', 'a@b.example'];
    logger.info(
      {
        access_token: secrets[0],
        connection: { refreshToken: secrets[1] },
        response: { headers: { authorization: `Bearer ${secrets[2]}`, cookie: 'sid=abc' } },
        a: { b: { c: { apiKey: secrets[3] } } },
        operator: { password: secrets[4] },
        body: { client_secret: secrets[5] },
        user: { email: secrets[6] },
        tenantId: 't-1',
      },
      'connected',
    );
    const line = lines.join('');
    for (const secret of secrets) expect(line).not.toContain(secret);
    expect(line).not.toContain('sid=abc');
    const record = JSON.parse(line);
    expect(record.access_token).toBe(REDACTED);
    expect(record.response.headers.authorization).toBe(REDACTED);
    expect(record.a.b.c.apiKey).toBe(REDACTED);
    expect(record.tenantId).toBe('t-1');
    expect(record.msg).toBe('connected');
  });

  it('logs an HTTP request as method and path only: no headers, no query string', () => {
    const { logger, lines } = captureLogger();
    logger.info(
      {
        req: {
          method: 'GET',
          url: '/oauth/meta/callback?code=the-code&state=the-state',
          id: 'r-1',
          headers: { authorization: 'Bearer tok', cookie: 'adsync_session=s' },
        },
      },
      'incoming request',
    );
    const record = JSON.parse(lines.join(''));
    expect(record.req).toEqual({ method: 'GET', path: '/oauth/meta/callback', id: 'r-1' });
  });

  it('keeps child bindings such as tenantId and jobId, and redacts in children too', () => {
    const { logger, lines } = captureLogger();
    logger.child({ tenantId: 't-2', jobId: '42' }).warn({ token: 'child-secret' }, 'retrying');
    const record = JSON.parse(lines.join(''));
    expect(record).toMatchObject({ tenantId: 't-2', jobId: '42', token: REDACTED, level: 40 });
  });

  it('redacts in bindings, at any depth and in any case, and inside logged errors', () => {
    const { logger, lines } = captureLogger();
    const error = Object.assign(new Error('the platform said no'), {
      response: { headers: { Authorization: 'Bearer err-secret' } },
    });
    logger
      .child({ connection: { accessToken: 'binding-secret' } })
      .error({ err: error, a: { b: { c: { d: { e: { f: { CLIENT_SECRET: 'deep-secret' } } } } } } }, 'failed');
    const line = lines.join('');
    for (const secret of ['err-secret', 'binding-secret', 'deep-secret']) expect(line).not.toContain(secret);
    const record = JSON.parse(line);
    expect(record.err).toMatchObject({ type: 'Error', message: 'the platform said no' });
    expect(record.err.response.headers.Authorization).toBe(REDACTED);
    expect(record.a.b.c.d.e.f.CLIENT_SECRET).toBe(REDACTED);
  });

  it('logs a reply as its status, prints dates as JSON does, and survives circular objects', () => {
    const { logger, lines } = captureLogger();
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    const at = new Date('2026-11-21T10:00:00.000Z');
    logger.info({ res: { statusCode: 202, request: { headers: { cookie: 's' } } }, at, loop }, 'done');
    const record = JSON.parse(lines.join(''));
    expect(record.res).toEqual({ statusCode: 202 });
    expect(record.at).toBe('2026-11-21T10:00:00.000Z');
    expect(record.loop).toEqual({ name: 'loop', self: '[Circular]' });
  });
});

describe('redactSecrets', () => {
  it('replaces secret and PII values at any depth and leaves ids alone', () => {
    const input = {
      tenantId: 't-1',
      nested: [{ deeper: { Refresh_Token: 'r-secret', email: 'x@y.example', connectionId: 'c-1' } }],
      apiKey: 'pk_live_secret',
    };
    expect(redactSecrets(input)).toEqual({
      tenantId: 't-1',
      nested: [{ deeper: { Refresh_Token: REDACTED, email: REDACTED, connectionId: 'c-1' } }],
      apiKey: REDACTED,
    });
    expect(input.apiKey).toBe('pk_live_secret');
  });
});

describe('redactSecretsInText', () => {
  const cases: [string, string, string][] = [
    [
      'a URL with an access token',
      'GET https://graph.facebook.com/v25.0/me/adaccounts?fields=id&access_token=EAAtok3nV4lue&limit=5 failed',
      'GET https://graph.facebook.com/v25.0/me/adaccounts?fields=id&access_token=[redacted]&limit=5 failed',
    ],
    ['a bearer header', 'sent Authorization: Bearer abc.def-ghi_jkl~mno', 'sent Authorization: [redacted]'],
    ['a bare bearer credential', 'retrying with Bearer 0123456789abcdefXYZ', 'retrying with Bearer [redacted]'],
    ['an unknown scheme after authorization', 'authorization=Token s3cr3t-value', 'authorization=[redacted]'],
    [
      'JSON with a client secret',
      '{"client_id":"42","client_secret":"sh-h-h"}',
      '{"client_id":"42","client_secret":"[redacted]"}',
    ],
    ['JSON in a string', 'body {\\"refresh_token\\":\\"1-2-3\\"}', 'body {\\"refresh_token\\":\\"[redacted]\\"}'],
    ['a URL-encoded parameter', 'next=%2Fcb%3Faccess_token%3Dxyz123', 'next=%2Fcb%3Faccess_token%3D[redacted]'],
    [
      'an OAuth code and state',
      '/oauth/meta/callback?code=AQD-code&state=v1.st4te',
      '/oauth/meta/callback?code=[redacted]&state=[redacted]',
    ],
    ['cookies', 'cookie: adsync_session=abc; other=1\nnext line', 'cookie: [redacted]\nnext line'],
    ['a Klaviyo private key', 'Klaviyo said 401 for pk_abcdef0123456789abcdef0123', 'Klaviyo said 401 for [redacted]'],
    [
      'a Klaviyo key header',
      'Authorization: Klaviyo-API-Key pk_abcdef0123456789abcdef0123 refused',
      'Authorization: [redacted] refused',
    ],
    ['a tenant API key', 'key adsync_Zm9vYmFyYmF6cXV4cXV1eA was revoked', 'key [redacted] was revoked'],
    ['a webhook secret', 'signed with whsec_Q2Fubm90LWd1ZXNzLXRoaXM', 'signed with [redacted]'],
    [
      'a Google token',
      'token ya29.a0AfH6SMBx-long-google-token then 1//0gLongRefreshToken_abc',
      'token [redacted] then [redacted]',
    ],
    ['an email address', 'profile jane.doe+test@shop.example.co.uk rejected', 'profile [redacted] rejected'],
  ];
  it.each(cases)('replaces %s and keeps the rest', (_what, input, expected) => {
    expect(redactSecretsInText(input)).toBe(expected);
  });

  it('leaves ordinary failure text alone, and is idempotent', () => {
    const plain =
      'Error: Meta answered 400 (code 190, token_type expired) for act_1000000001 after 3 tries\n' +
      '    at refreshConnection (packages/connections/src/refresh/refresh-connection.ts:120:11)';
    expect(redactSecretsInText(plain)).toBe(plain);
    const once = redactSecretsInText('access_token=abc Bearer 0123456789abcdef pk_0123456789abcdef0123');
    expect(redactSecretsInText(once)).toBe(once);
  });
});
