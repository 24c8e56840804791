// How the page writes amounts, dates and platform names.

export const PLATFORMS = ['meta', 'google', 'tiktok', 'klaviyo'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const PLATFORM_NAMES: Record<string, string> = {
  meta: 'Meta Ads',
  google: 'Google Ads',
  tiktok: 'TikTok Ads',
  klaviyo: 'Klaviyo',
};

export const platformName = (provider: string): string => PLATFORM_NAMES[provider] ?? provider;

/** Spend arrives as integer micros in a string (JSON numbers cannot hold every amount). */
export function formatMicros(micros: string | bigint, currency: string): string {
  const value = Number(BigInt(micros)) / 1_000_000;
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency}`;
  }
}

export function formatNumber(value: number | string): string {
  return new Intl.NumberFormat().format(Number(value));
}

export function formatDateTime(iso: string | null): string {
  if (iso === null) return 'never';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "in 3 days", "2 hours ago". */
export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(seconds, 'second');
}

/** YYYY-MM-DD of a UTC day `offset` days from today. */
export function utcDay(offset = 0, now = Date.now()): string {
  return new Date(now + offset * 86_400_000).toISOString().slice(0, 10);
}
