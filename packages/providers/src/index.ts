export { createGoogleProvider } from './google/google.provider.ts';
export { describeUrl, type HttpRequest, type HttpResponse, headerValue, httpJson } from './http.ts';
export { validateKlaviyoPrivateKey } from './klaviyo/klaviyo.private-key.ts';
export { createKlaviyoProvider } from './klaviyo/klaviyo.provider.ts';
export { createMetaProvider } from './meta/meta.provider.ts';
export * from './provider.ts';
export type * from './settings.ts';
export {
  GOOGLE_SCOPES,
  KLAVIYO_REVISION,
  KLAVIYO_SCOPES,
  META_SCOPES,
  simulatorProviderSettings,
} from './simulator-settings.ts';
export { createTikTokProvider } from './tiktok/tiktok.provider.ts';
