// Fuzzing the OAuth callback, the one route anyone on the internet can reach with parameters of their
// choosing: whatever the query (unicode, huge or repeated values, random keys, forged, expired and mangled
// states), every platform and unknown ones answer a 4xx result page, and nothing is written — except that a
// genuine, unused state is burnt when it is presented.

import { randomUUID } from 'node:crypto';
import { DEV_OAUTH_STATE_SECRET } from '@adsync/config';
import { signOAuthState, verifyOAuthState } from '@adsync/crypto';
import { createTenantWithKey } from '@adsync/db';
import { PROVIDER_IDS } from '@adsync/providers';
import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { startConnect } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';
import {
  anyString,
  databaseChanges,
  describeAnswer,
  fuzzParameters,
  fuzzTimeout,
  hugeString,
  newKeys,
  notAnApiRefusal,
  type RawAnswer,
  redisKeys,
  STABLE_CODE,
  safeEncode,
  send,
  snapshotDatabase,
} from './fuzz-support.ts';

const testbed = useGatewayWithSimulator();
const { env } = testbed;
let brand: { tenantId: string; apiKey: string };
let other: { tenantId: string; apiKey: string };

beforeAll(async () => {
  const created = await createTenantWithKey(env.db, { name: 'Fuzzed brand', keyName: 'fuzz' });
  brand = { tenantId: created.tenant.id, apiKey: created.apiKey };
  const second = await createTenantWithKey(env.db, { name: 'Other brand', keyName: 'fuzz' });
  other = { tenantId: second.tenant.id, apiKey: second.apiKey };
});

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** How the `state` parameter is made. The ones starting with "real" begin with a state from our start link. */
type StateRecipe =
  | { kind: 'absent' }
  | { kind: 'text'; value: string }
  | { kind: 'signed'; nonce: string; expiresInMs: number; tenant: 'brand' | 'random' }
  | { kind: 'real-mangled'; how: 'flip' | 'cut' | 'extend' | 'payload' | 'swap'; at: number; char: string }
  | { kind: 'real-elsewhere' }
  | { kind: 'real'; fromItsBrowser: boolean };

const stateRecipe: fc.Arbitrary<StateRecipe> = fc.oneof(
  fc.constant<StateRecipe>({ kind: 'absent' }),
  fc
    .oneof(
      anyString,
      fc.stringMatching(/^[A-Za-z0-9_-]{1,80}\.[A-Za-z0-9_-]{1,60}$/),
      hugeString.map((text) => text.slice(0, 6_000)),
    )
    .map((value): StateRecipe => ({ kind: 'text', value })),
  fc
    .record({
      nonce: fc.string({ minLength: 1, maxLength: 60 }),
      expiresInMs: fc.oneof(fc.integer({ min: 1_000, max: 3_600_000 }), fc.integer({ min: -3_600_000, max: -1 })),
      tenant: fc.constantFrom<'brand' | 'random'>('brand', 'random'),
    })
    .map((signed): StateRecipe => ({ kind: 'signed', ...signed })),
  fc
    .record({
      how: fc.constantFrom<'flip' | 'cut' | 'extend' | 'payload' | 'swap'>('flip', 'cut', 'extend', 'payload', 'swap'),
      at: fc.nat(),
      char: fc.constantFrom(...BASE64URL),
    })
    .map((mangle): StateRecipe => ({ kind: 'real-mangled', ...mangle })),
  fc.constant<StateRecipe>({ kind: 'real-elsewhere' }),
  fc.boolean().map((fromItsBrowser): StateRecipe => ({ kind: 'real', fromItsBrowser })),
);

/** A query value, already encoded for the URL (some raw, invalid percent-encodings included). */
const queryValue: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: anyString.map(safeEncode), weight: 5 },
  {
    arbitrary: fc.constantFrom('access_denied', 'user_denied', '', 'ads_read,ads_management').map(safeEncode),
    weight: 2,
  },
  // Long values, though mostly within Node's header limit (a longer request line is refused with 431).
  { arbitrary: hugeString.map((text) => safeEncode(text.slice(0, 1_000))), weight: 1 },
  { arbitrary: fc.constantFrom('%', '%zz', '%c0%af', '%ed%a0%80', '%ff%fe', '+', '%00', '&', '=', '#'), weight: 1 },
);

const queryKey: fc.Arbitrary<string> = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'state',
      'code',
      'error',
      'error_description',
      'error_reason',
      'error_code',
      'scope',
      'auth_code',
      'return_to',
    ),
    weight: 6,
  },
  {
    arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'state[]', 'code[0]', ''),
    weight: 1,
  },
  { arbitrary: anyString, weight: 1 },
);

/** The query's other parameters, keys possibly repeated; `bare` leaves out the "=". */
const otherParameters = fc.array(fc.record({ key: queryKey, value: queryValue, bare: fc.boolean() }), {
  maxLength: 8,
});

const providerSegment: fc.Arbitrary<{ provider: string; known: boolean }> = fc.oneof(
  { arbitrary: fc.constantFrom(...PROVIDER_IDS).map((provider) => ({ provider, known: true })), weight: 6 },
  {
    arbitrary: fc
      .oneof(
        fc.constantFrom('META', 'facebook', 'meta ', '__proto__', 'constructor', 'toString', 'x'.repeat(500)),
        anyString,
      )
      .filter((name) => !(PROVIDER_IDS as readonly string[]).includes(name))
      .map((provider) => ({ provider, known: false })),
    weight: 2,
  },
);

const credentials = fc.constantFrom<'none' | 'brand' | 'other' | 'garbage' | 'cookie'>(
  'none',
  'none',
  'brand',
  'other',
  'garbage',
  'cookie',
);

/**
 * A state from our own connect link for this provider: the text, the row's nonce, and the binding cookie of
 * the browser that started it (a `cookie` header value).
 */
async function realState(provider: string): Promise<{ state: string; nonce: string; cookie: string }> {
  const start = await startConnect(testbed.gateway.url, brand.apiKey, provider);
  if (start.status !== 303 || start.location === null) throw new Error(`start answered ${start.status}`);
  const state = new URL(start.location).searchParams.get('state') ?? '';
  const verified = verifyOAuthState(DEV_OAUTH_STATE_SECRET, state, Date.now());
  if (!verified.ok) throw new Error(`our own state does not verify: ${verified.error.code}`);
  const name = `adsync_oauth_${verified.value.nonce}`;
  return { state, nonce: verified.value.nonce, cookie: `${name}=${start.browser.cookie(name)}` };
}

function mangled(state: string, recipe: Extract<StateRecipe, { kind: 'real-mangled' }>): string {
  const [payload = '', signature = ''] = state.split('.');
  const replaceAt = (text: string, at: number, char: string) => {
    const i = at % text.length;
    const next = text[i] === char ? (char === 'A' ? 'B' : 'A') : char;
    return `${text.slice(0, i)}${next}${text.slice(i + 1)}`;
  };
  switch (recipe.how) {
    case 'flip':
      return `${payload}.${replaceAt(signature, recipe.at, recipe.char)}`;
    case 'cut':
      return `${payload}.${signature.slice(0, recipe.at % signature.length)}`;
    case 'extend':
      return `${payload}.${signature}${recipe.char}`;
    case 'payload':
      return `${replaceAt(payload, recipe.at, recipe.char)}.${signature}`;
    case 'swap':
      return `${signature}.${payload}`;
  }
}

/**
 * The state's text, the nonce of a genuine state (the one row this request may burn), and for some genuine
 * states the binding cookie of the browser that started them (without it, the state is not even burnt).
 */
async function stateFor(
  recipe: StateRecipe,
  provider: string,
  known: boolean,
): Promise<{ state: string | undefined; burnable: string | undefined; cookie?: string }> {
  switch (recipe.kind) {
    case 'absent':
      return { state: undefined, burnable: undefined };
    case 'text':
      return { state: recipe.value, burnable: undefined };
    case 'signed':
      return {
        state: signOAuthState(DEV_OAUTH_STATE_SECRET, {
          tenantId: recipe.tenant === 'brand' ? brand.tenantId : randomUUID(),
          provider: known ? provider : 'meta',
          nonce: recipe.nonce,
          returnUrl: '',
          expiresAt: Date.now() + recipe.expiresInMs,
        }),
        burnable: undefined,
      };
    case 'real-mangled': {
      const { state } = await realState(known ? provider : 'meta');
      return { state: mangled(state, recipe), burnable: undefined };
    }
    case 'real-elsewhere': {
      const elsewhere = PROVIDER_IDS.find((id) => id !== provider) ?? 'google';
      return { state: (await realState(elsewhere)).state, burnable: undefined };
    }
    case 'real': {
      const real = await realState(known ? provider : 'meta');
      return { state: real.state, burnable: real.nonce, ...(recipe.fromItsBrowser ? { cookie: real.cookie } : {}) };
    }
  }
}

function headersFor(who: 'none' | 'brand' | 'other' | 'garbage' | 'cookie'): Record<string, string> {
  switch (who) {
    case 'none':
      return {};
    case 'brand':
      return { authorization: `Bearer ${brand.apiKey}` };
    case 'other':
      return { authorization: `Bearer ${other.apiKey}` };
    case 'garbage':
      return { authorization: 'Bearer adsync_not-a-key' };
    case 'cookie':
      return { cookie: 'adsync_session=session_forged; adsync_csrf=x' };
  }
}

/** Why a callback answer is not a refusal page (or, off the route, an API refusal), or undefined. */
function notARefusalPage(answer: RawAnswer, known: boolean, urlLength: number): string | undefined {
  if (answer.status < 400 || answer.status > 499) return `status ${answer.status}`;
  // Node refuses a request line over its header limit (431) before any route sees it.
  if (urlLength > 8_000 && (answer.status === 431 || answer.status === 414)) return undefined;
  if (!answer.contentType.startsWith('text/html')) {
    // A segment that decodes to several (…/a%2Fb/callback) is another path: the API's 404.
    return known ? `content type "${answer.contentType}"` : notAnApiRefusal(answer);
  }
  if (!answer.text.includes('<h1>Nothing was connected</h1>') && !answer.text.includes('<h1>Unknown platform</h1>')) {
    return 'not a refusal page';
  }
  const code = /<small>code: ([^<]*)<\/small>/.exec(answer.text)?.[1];
  if (known && code === undefined) return 'no code on the page';
  if (code !== undefined && !STABLE_CODE.test(code)) return `unstable code "${code}"`;
  return undefined;
}

it(
  'refuses any callback query with a 4xx page and writes nothing but the burn of a genuine state',
  async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        providerSegment,
        stateRecipe,
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 2 }),
        otherParameters,
        credentials,
        async ({ provider, known }, recipe, statePosition, stateRepeats, others, who) => {
          const { state, burnable, cookie } = await stateFor(recipe, provider, known);
          const parameters = others.map(({ key, value, bare }) =>
            bare ? safeEncode(key) : `${safeEncode(key)}=${value}`,
          );
          if (state !== undefined) {
            for (let i = 0; i <= stateRepeats; i += 1) {
              parameters.splice(Math.min(statePosition, parameters.length), 0, `state=${safeEncode(state)}`);
            }
          }
          const path = `/oauth/${safeEncode(provider)}/callback${parameters.length === 0 ? '' : `?${parameters.join('&')}`}`;

          const rowsBefore = await snapshotDatabase(env.db);
          const keysBefore = await redisKeys(env.redis, env.queuePrefix);
          const headers = headersFor(who);
          if (cookie !== undefined) headers.cookie = [headers.cookie, cookie].filter(Boolean).join('; ');
          const answer = await send(testbed.gateway.url, { method: 'GET', path, headers });
          const changes = databaseChanges(rowsBefore, await snapshotDatabase(env.db));
          const addedKeys = newKeys(keysBefore, await redisKeys(env.redis, env.queuePrefix));
          const code = /<small>code: ([^<]*)<\/small>/.exec(answer.text)?.[1] ?? `${answer.status}`;
          seen.set(code, (seen.get(code) ?? 0) + 1);

          const problem = notARefusalPage(answer, known, path.length);
          expect(problem, `${problem}: GET ${path.slice(0, 300)} → ${describeAnswer(answer)}`).toBeUndefined();
          expect(addedKeys, 'new Redis keys').toEqual([]);
          // The one write a refusal may make: burning the genuine state it presented (consumed_at set).
          const { oauth_states: states, ...elsewhere } = changes;
          expect(elsewhere, 'rows written').toEqual({});
          if (states !== undefined) {
            const [removed] = states.removed as { nonce: string; consumed_at: string | null }[];
            const [added] = states.added as { nonce: string; consumed_at: string | null }[];
            expect({ removed: states.removed.length, added: states.added.length }).toEqual({ removed: 1, added: 1 });
            expect(burnable, 'only a genuine state is burnt').toBeDefined();
            expect(removed?.nonce).toBe(burnable);
            expect({ ...removed, consumed_at: null }).toEqual({ ...added, consumed_at: null });
            expect(removed?.consumed_at).toBeNull();
            expect(added?.consumed_at).not.toBeNull();
          }
        },
      ),
      fuzzParameters(),
    );
    // The fuzzer reached the route's refusals, not only the router's.
    expect([...seen.keys()], JSON.stringify(Object.fromEntries(seen))).toContain('malformed_state');
  },
  fuzzTimeout(),
);

it('a genuine state at its own callback is burnt by a refusal, and replaying it is refused as used', async () => {
  const { state, cookie } = await realState('google');
  const url = `${testbed.gateway.url}/oauth/google/callback?state=${encodeURIComponent(state)}&code=made-up`;
  const first = await fetch(url, { headers: { cookie } });
  expect(first.status).toBe(400);
  expect(await first.text()).toContain('code: token_exchange_failed');
  const again = await fetch(url, { headers: { cookie } });
  expect(await again.text()).toContain('code: state_already_used');
});

it('a callback URL that does not decode is refused in the API shape, without echoing its state', async () => {
  const answer = await send(testbed.gateway.url, {
    method: 'GET',
    path: '/oauth/%ed%a0%80/callback?state=secret-state-value',
  });
  expect(answer.status).toBe(400);
  expect(answer.json).toEqual({ error: { code: 'invalid_url', message: expect.any(String) } });
  expect(answer.text).not.toContain('secret-state-value');
});
