// The platform apps adsync is registered as at the simulator: the client ids and secrets adsync's
// configuration points at by default. Redirect URIs are not pre-registered: any absolute http(s) URL is
// accepted at authorize time, and the token exchange must repeat it exactly, as the platforms require.

export const META_APP = {
  appId: '1234567890123456',
  appSecret: 'sim-meta-app-secret',
  name: 'adsync (simulated)',
} as const;

export const GOOGLE_APP = {
  clientId: '123456789012-adsyncsim.apps.googleusercontent.com',
  clientSecret: 'sim-google-client-secret',
  name: 'adsync (simulated)',
} as const;

/** TikTok's token model is a property of the app: one app of each kind. */
export const TIKTOK_APPS = [
  {
    appId: '7100000000000000001',
    secret: 'sim-tiktok-secret-rotating',
    name: 'adsync (simulated)',
    tokenModel: 'rotating',
  },
  {
    appId: '7100000000000000002',
    secret: 'sim-tiktok-secret-long-term',
    name: 'adsync long-term (simulated)',
    tokenModel: 'long-term',
  },
] as const;

export const KLAVIYO_APP = {
  clientId: 'sim-klaviyo-client-id',
  clientSecret: 'sim-klaviyo-client-secret',
  name: 'adsync (simulated)',
} as const;

/** Private API keys of the simulated Klaviyo account, with the scopes each was created with. */
export const KLAVIYO_PRIVATE_KEYS = [
  {
    key: 'pk_sim_full_0123456789abcdef0123456789',
    scopes: [
      'accounts:read',
      'lists:read',
      'lists:write',
      'segments:read',
      'profiles:read',
      'profiles:write',
      'subscriptions:write',
      'catalogs:read',
      'catalogs:write',
      'events:write',
    ],
  },
  { key: 'pk_sim_readonly_lists_0123456789abcdef', scopes: ['accounts:read', 'lists:read'] },
] as const;
