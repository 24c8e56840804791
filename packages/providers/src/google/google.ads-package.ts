// GAQL through the npm package `google-ads-api` (REST searchStream via axios), made to talk to whatever
// `settings.adsApiUrl` says and to use the access token adsync hands it. The package has no option for
// either, so, without touching its code:
//
// - Base URL. `customer.query` posts to the constant `https://googleads.googleapis.com/<its version>/…`
//   through axios's default instance. We load the package AND axios with `createRequire` from the package's
//   own location (CommonJS both, so `require('axios')` inside the package and ours return the same
//   instance) and install one request interceptor on it per process, marked on the instance with a global
//   symbol so a second copy of this module does not add another. Our Customer subclass adds an internal
//   header naming its `adsApiUrl`; the interceptor removes that header and swaps the package's
//   origin+version for it. The target travels with each request, so readers configured with different bases
//   can run at once in one process; requests without the header (anyone else's) pass untouched. With the
//   real config (`https://googleads.googleapis.com/v23`) the rewrite only pins the API version. If the
//   package ever builds a URL we do not recognise, the interceptor refuses the request (a bug, thrown)
//   rather than let it reach a host nobody configured. It also gives our requests a timeout (axios has none).
//
// - Access token. adsync's refresh fleet owns Google tokens, so the subclass overrides `getAccessToken` to
//   return the token the read was handed. A subclass rather than patching an instance: `override` makes the
//   compiler check the method still exists with that signature, and the token is in place before any
//   method can run. The package's own getAccessToken (the only caller of google-auth-library for REST, and
//   of its token cache) is never reached, so it never calls Google's token endpoint. `refresh_token` is
//   required by the package's types: we pass a placeholder that is no credential, unique per Customer, so
//   that even if some package path did key a cache by it (its access-token cache and gRPC service cache
//   are), no two reads could ever share an entry.
//
// - One Customer per query: it holds customer id, login-customer-id and token, so concurrent reads for
//   different tokens or accounts share nothing. Parsing is off (`disable_parsing`): the package would turn
//   int64 cost_micros into a float Number and drop quota details such as retryDelay from its errors; rows
//   and failures stay the REST API's own JSON (lowerCamelCase, int64 as strings).

import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { err, ok } from '@adsync/errors';
import type { ClientOptions, CustomerOptions } from 'google-ads-api';
import { unavailable } from '../http.ts';
import type { ProviderResult } from '../provider.ts';
import type { GoogleSettings } from '../settings.ts';
import { googleAdsFailureError, googleRpcStatusError } from './google.errors.ts';

type AdsPackage = typeof import('google-ads-api');

/** What the interceptor touches of an axios request config (axios 1.x normalises headers to AxiosHeaders). */
interface AxiosRequestConfig {
  url?: string;
  timeout?: number;
  headers: { get(name: string): unknown; delete(name: string): boolean };
}

/** The slice of axios's default export this module uses. */
interface AxiosDefault {
  interceptors: { request: { use(onFulfilled: (config: AxiosRequestConfig) => AxiosRequestConfig): number } };
  isAxiosError(value: unknown): value is Error & { code?: string };
}

/** Internal only: the interceptor strips it before the request leaves. */
const TARGET_HEADER = 'x-adsync-google-ads-api-url';
const INTERCEPTOR_INSTALLED = Symbol.for('adsync.google-ads-api.base-url-interceptor');
/** The package's constant origin and version, e.g. https://googleads.googleapis.com/v25 */
const PACKAGE_BASE = /^https:\/\/googleads\.googleapis\.com\/v\d+(?:_\d+)?(?=\/)/;
const REQUEST_TIMEOUT_MS = 120_000;

/** The package built a URL the interceptor does not recognise: a package upgrade changed it. */
export class UnrecognizedAdsUrlError extends Error {
  override readonly name = 'UnrecognizedAdsUrlError';
}

export interface AdsQueryTarget {
  readonly settings: GoogleSettings;
  readonly accessToken: string;
  readonly customerId: string;
  /** The manager sent as login-customer-id; null when the customer is reached directly. */
  readonly loginCustomerId: string | null;
}

function installBaseUrlRewrite(axios: AxiosDefault): void {
  const marked = axios as unknown as Record<symbol, unknown>;
  if (marked[INTERCEPTOR_INSTALLED] === true) return;
  axios.interceptors.request.use((config) => {
    const target = config.headers.get(TARGET_HEADER);
    if (typeof target !== 'string') return config;
    config.headers.delete(TARGET_HEADER);
    if (config.url === undefined || !PACKAGE_BASE.test(config.url)) {
      throw new UnrecognizedAdsUrlError('google-ads-api requested a URL adsync does not know how to redirect.');
    }
    config.url = config.url.replace(PACKAGE_BASE, target);
    if (config.timeout === undefined || config.timeout === 0) config.timeout = REQUEST_TIMEOUT_MS;
    return config;
  });
  Object.defineProperty(marked, INTERCEPTOR_INSTALLED, { value: true });
}

function defineAccessTokenCustomer(ads: AdsPackage) {
  return class AccessTokenCustomer extends ads.Customer {
    readonly #accessToken: string;
    readonly #adsApiUrl: string;

    constructor(
      clientOptions: ClientOptions,
      customerOptions: CustomerOptions,
      accessToken: string,
      adsApiUrl: string,
    ) {
      super(clientOptions, customerOptions);
      this.#accessToken = accessToken;
      this.#adsApiUrl = adsApiUrl;
    }

    override async getAccessToken(): Promise<string> {
      return this.#accessToken;
    }

    protected override get callHeaders() {
      return { ...super.callHeaders, [TARGET_HEADER]: this.#adsApiUrl };
    }
  };
}

interface LoadedPackage {
  readonly ads: AdsPackage;
  readonly axios: AxiosDefault;
  readonly AccessTokenCustomer: ReturnType<typeof defineAccessTokenCustomer>;
}

let loaded: LoadedPackage | undefined;

/** Loaded on first use: the package pulls in every Ads proto, which takes a moment. */
function loadPackage(): LoadedPackage {
  if (loaded !== undefined) return loaded;
  const fromHere = createRequire(import.meta.url);
  const entry = fromHere.resolve('google-ads-api');
  const ads = fromHere('google-ads-api') as AdsPackage;
  // Resolved from the package's own directory: the axios copy its modules `require`.
  const axios = createRequire(entry)('axios') as AxiosDefault;
  installBaseUrlRewrite(axios);
  loaded = { ads, axios, AccessTokenCustomer: defineAccessTokenCustomer(ads) };
  return loaded;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** Runs one GAQL query (one searchStream request) and returns its rows as the REST API sent them. */
export async function queryGoogleAds(
  target: AdsQueryTarget,
  gaql: string,
  action: string,
): Promise<ProviderResult<unknown[]>> {
  const { ads, axios, AccessTokenCustomer } = loadPackage();
  const customer = new AccessTokenCustomer(
    {
      client_id: target.settings.clientId,
      client_secret: target.settings.clientSecret,
      developer_token: target.settings.developerToken,
      disable_parsing: true,
    },
    {
      customer_id: target.customerId,
      refresh_token: `unused-adsync-supplies-access-tokens-${randomUUID()}`,
      ...(target.loginCustomerId === null ? {} : { login_customer_id: target.loginCustomerId }),
    },
    target.accessToken,
    target.settings.adsApiUrl,
  );
  try {
    return ok(await customer.query<unknown[]>(gaql));
  } catch (thrown) {
    // A bug, not a platform failure. By name: another copy of this module may have installed the interceptor.
    if (thrown instanceof Error && thrown.name === 'UnrecognizedAdsUrlError') throw thrown;
    if (thrown instanceof ads.errors.GoogleAdsFailure) return err(googleAdsFailureError(thrown, action));
    if (axios.isAxiosError(thrown)) {
      return err(unavailable(`Google Ads did not answer when asked to ${action} (${thrown.code ?? 'error'}).`));
    }
    // A streamed error without an Ads detail: the package throws Error(message, {cause: google.rpc.Status}).
    if (thrown instanceof Error && isPlainObject(thrown.cause)) {
      return err(googleRpcStatusError(thrown.cause, action));
    }
    const reason = thrown instanceof Error ? thrown.name : 'error';
    return err(unavailable(`Google Ads answered a request to ${action} unreadably (${reason}); retry later.`));
  }
}
