// The simulated world: who grants access and which ad accounts they hold. Accounts span UTC, far east
// (UTC+13), far west (UTC−11), daylight-saving zones and a zero-decimal currency, because those are where
// spend syncs go wrong.

export interface SimulatedAccount {
  /** The platform's own id format (Meta `act_` + digits, Google 10 digits, TikTok 19 digits). */
  readonly id: string;
  readonly name: string;
  readonly currency: string;
  readonly timezone: string;
  /** Region codes (see spend/regions.ts) the account spends in. */
  readonly regions: readonly string[];
  /** Spend size: minor units per hour at full weight, before jitter. */
  readonly scale: number;
}

export const META_USER = { id: '10000000001', name: 'Dana Brand' } as const;
export const META_ACCOUNTS: readonly SimulatedAccount[] = [
  {
    id: 'act_1000000001',
    name: 'Acme US',
    currency: 'USD',
    timezone: 'America/Los_Angeles',
    regions: ['US-CA', 'US-TX', 'US-NY'],
    scale: 2_000,
  },
  {
    id: 'act_1000000002',
    name: 'Acme New Zealand',
    currency: 'NZD',
    timezone: 'Pacific/Auckland',
    regions: ['NZ-AUK', 'NZ-WGN'],
    scale: 900,
  },
  {
    id: 'act_1000000003',
    name: 'Acme Tonga',
    currency: 'TOP',
    timezone: 'Pacific/Tongatapu',
    regions: ['TO-04'],
    scale: 300,
  },
  {
    id: 'act_1000000004',
    name: 'Acme Samoa',
    currency: 'USD',
    timezone: 'Pacific/Pago_Pago',
    regions: ['AS-WE', 'US-HI'],
    scale: 400,
  },
  {
    id: 'act_1000000005',
    name: 'Acme Global',
    currency: 'EUR',
    timezone: 'UTC',
    regions: ['GB-ENG', 'US-NY', 'JP-13'],
    scale: 1_100,
  },
];

/** Pixels (datasets) the Conversions API accepts events for; a token reaches one through its ad account. */
export const META_PIXELS = [
  { id: '2000000000000001', name: 'Acme US Pixel', accountId: 'act_1000000001' },
  { id: '2000000000000002', name: 'Acme NZ Pixel', accountId: 'act_1000000002' },
] as const;

export const GOOGLE_USER = { email: 'dana@acme.example' } as const;
/** The manager (MCC) through which the client accounts are reached with `login-customer-id`. */
export const GOOGLE_MANAGER: SimulatedAccount = {
  id: '9000000001',
  name: 'Acme Manager',
  currency: 'USD',
  timezone: 'America/New_York',
  regions: [],
  scale: 0,
};
export const GOOGLE_CLIENT_ACCOUNTS: readonly SimulatedAccount[] = [
  {
    id: '1000000011',
    name: 'Acme Search US',
    currency: 'USD',
    timezone: 'America/New_York',
    regions: ['US-NY', 'US-CA'],
    scale: 2_500,
  },
  {
    id: '1000000012',
    name: 'Acme Japan',
    currency: 'JPY',
    timezone: 'Asia/Tokyo',
    regions: ['JP-13', 'JP-27'],
    scale: 3_000,
  },
  {
    id: '1000000013',
    name: 'Acme Tonga Search',
    currency: 'TOP',
    timezone: 'Pacific/Tongatapu',
    regions: ['TO-04'],
    scale: 250,
  },
  {
    id: '1000000014',
    name: 'Acme Samoa Search',
    currency: 'USD',
    timezone: 'Pacific/Pago_Pago',
    regions: ['AS-WE'],
    scale: 350,
  },
  {
    id: '1000000016',
    name: 'Acme Global Search',
    currency: 'EUR',
    timezone: 'UTC',
    regions: ['GB-SCT', 'US-TX'],
    scale: 1_300,
  },
];
/** A customer the user reaches directly, without a manager. */
export const GOOGLE_DIRECT_ACCOUNTS: readonly SimulatedAccount[] = [
  {
    id: '1000000015',
    name: 'Acme UK Direct',
    currency: 'GBP',
    timezone: 'Europe/London',
    regions: ['GB-ENG', 'GB-SCT'],
    scale: 1_200,
  },
];

export const TIKTOK_ADVERTISERS: readonly SimulatedAccount[] = [
  {
    id: '7000000000000000001',
    name: 'Acme TikTok US',
    currency: 'USD',
    timezone: 'America/Los_Angeles',
    regions: ['US-CA', 'US-TX'],
    scale: 1_500,
  },
  {
    id: '7000000000000000002',
    name: 'Acme TikTok UK',
    currency: 'GBP',
    timezone: 'Europe/London',
    regions: ['GB-ENG'],
    scale: 800,
  },
  {
    id: '7000000000000000003',
    name: 'Acme TikTok Tonga',
    currency: 'TOP',
    timezone: 'Pacific/Tongatapu',
    regions: ['TO-04'],
    scale: 200,
  },
  {
    id: '7000000000000000004',
    name: 'Acme TikTok Samoa',
    currency: 'USD',
    timezone: 'Pacific/Pago_Pago',
    regions: ['AS-WE'],
    scale: 300,
  },
  {
    id: '7000000000000000005',
    name: 'Acme TikTok Global',
    currency: 'EUR',
    timezone: 'UTC',
    regions: ['GB-SCT', 'JP-27'],
    scale: 700,
  },
];

export const KLAVIYO_ACCOUNT = {
  id: 'AcMe01',
  /** The 6-character public key (site id). */
  publicApiKey: 'AcMe01',
  organizationName: 'Acme Store',
  timezone: 'America/New_York',
  preferredCurrency: 'USD',
} as const;

/** Every ad account of a platform whose spend the simulator models. */
export function spendAccountsOf(platform: string): readonly SimulatedAccount[] {
  switch (platform) {
    case 'meta':
      return META_ACCOUNTS;
    case 'google':
      return [...GOOGLE_CLIENT_ACCOUNTS, ...GOOGLE_DIRECT_ACCOUNTS];
    case 'tiktok':
      return TIKTOK_ADVERTISERS;
    default:
      return [];
  }
}
