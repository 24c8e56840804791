// The regions simulated accounts spend in, with each platform's way of naming them: Meta returns the region
// name, Google a geo target constant, TikTok a location id. `code` is ISO 3166-2 and is the simulator's key.

export interface Region {
  readonly code: string;
  readonly country: string;
  readonly name: string;
  /** Google Ads `geoTargetConstants/{id}`. */
  readonly googleGeoTargetId: number;
  /** TikTok `province_id` in AUDIENCE reports. */
  readonly tiktokProvinceId: string;
}

export const REGIONS: readonly Region[] = [
  { code: 'US-CA', country: 'US', name: 'California', googleGeoTargetId: 21137, tiktokProvinceId: '5332921' },
  { code: 'US-TX', country: 'US', name: 'Texas', googleGeoTargetId: 21176, tiktokProvinceId: '4736286' },
  { code: 'US-NY', country: 'US', name: 'New York', googleGeoTargetId: 21167, tiktokProvinceId: '5128638' },
  { code: 'US-HI', country: 'US', name: 'Hawaii', googleGeoTargetId: 21144, tiktokProvinceId: '5855797' },
  { code: 'NZ-AUK', country: 'NZ', name: 'Auckland', googleGeoTargetId: 20844, tiktokProvinceId: '2193733' },
  { code: 'NZ-WGN', country: 'NZ', name: 'Wellington', googleGeoTargetId: 20856, tiktokProvinceId: '2179538' },
  { code: 'TO-04', country: 'TO', name: 'Tongatapu', googleGeoTargetId: 21375, tiktokProvinceId: '4032279' },
  { code: 'AS-WE', country: 'AS', name: 'Western District', googleGeoTargetId: 20023, tiktokProvinceId: '5881576' },
  { code: 'GB-ENG', country: 'GB', name: 'England', googleGeoTargetId: 20339, tiktokProvinceId: '6269131' },
  { code: 'GB-SCT', country: 'GB', name: 'Scotland', googleGeoTargetId: 20338, tiktokProvinceId: '2638360' },
  { code: 'JP-13', country: 'JP', name: 'Tokyo', googleGeoTargetId: 20636, tiktokProvinceId: '1850144' },
  { code: 'JP-27', country: 'JP', name: 'Osaka', googleGeoTargetId: 20629, tiktokProvinceId: '1853904' },
];

export function regionByCode(code: string): Region {
  const region = REGIONS.find((candidate) => candidate.code === code);
  if (region === undefined) throw new Error(`unknown region ${code}`);
  return region;
}
